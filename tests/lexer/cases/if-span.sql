DELETE FROM t
\if false
WHERE id = 1
\endif
;
UPDATE t SET a = 1
\if :x
WHERE id = 2
\elif true
\else
\endif
;
SELECT 1;
\if false
SELECT 2;
\endif
\g
SELECT 3;
\g
\if true
DELETE FROM t WHERE id = 3;
\endif
