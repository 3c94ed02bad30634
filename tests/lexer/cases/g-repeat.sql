DELETE FROM t WHERE id = 1;
\g
\watch 1
SELECT 1
\r
SELECT 2;
UPDATE t SET a = 1 \reset
\g
SELECT (1 \r
DROP TABLE u;
