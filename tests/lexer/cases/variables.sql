SELECT :x, :'y', :"z";
SELECT 1::int, a := 1, 2 ::text;
SELECT a[1:2] FROM t;
SELECT :'x y';
SELECT :{?x};
SELECT ':x', ":y", $$:z$$, /* :c */ 1 -- :d
;
SELECT :'';
SELECT :"";
SELECT \:y;
SELECT :x:y, ::z, :::w;
