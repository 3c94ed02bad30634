SELECT 1 \echo hi
+ 1;
SELECT 2 \i x.sql \\ + 3;
DELETE FROM t \p
WHERE a = 1;
