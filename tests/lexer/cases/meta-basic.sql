\set ON_ERROR_STOP on
\i other.sql
\echo 'a \\ b' c \\ SELECT 9;
\echo a\echo b
\! ls -l \\ SELECT 1;
\\ SELECT 3;
\dt+ public.*
\echo;x y
\o |cat \\ x
\pset format csv
\
SELECT 10;
