SELECT E'a\'; DROP TABLE x; --';
SELECT e'\\'; SELECT 2;
SELECT E'it''s', E'\\\''; DELETE FROM t; --';
SELECT notE'x\'; UPDATE t SET a = 1;
SELECT $$x$$E'\''; TRUNCATE t; --';
SELECT E'\x41\n'; SELECT 3;
