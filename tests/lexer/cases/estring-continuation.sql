SELECT E'a'
'\'' ; DROP TABLE t; -- '
;
SELECT E'a''\'' ; SELECT 2; -- '
;
SELECT E'a' -- c
  'b';
SELECT 'a'
'\' ; SELECT 3;
