SELECT 1 \g
SELECT 2 \gx
SELECT 'DROP TABLE t' \gexec
SELECT 3 AS a \gset p_
SELECT 4 \gdesc
SELECT 5, 6, 7 \crosstabview
SELECT now() \watch 5
SELECT 8 \g out.txt
SELECT 9 \g |rm -rf / \\ SELECT 10;
SELECT 11 \g (format=csv) out.csv
SELECT 12\g
