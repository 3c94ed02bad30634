\set x 1 \\ SELECT 'abc
DROP TABLE t;
-- '
