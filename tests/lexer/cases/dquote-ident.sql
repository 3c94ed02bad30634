SELECT "a;b", "delete", "x""y; DROP" FROM "T";
SELECT "multi
line;";
SELECT U&"d\0061t" FROM t;
