SELECT 1 === 2;
SELECT a<=b, -1, x||y, a<>b, a!=b, a>=b, 5%2, a*b/c;
SELECT a @> b;
SELECT 1 =- 2;
SELECT a-->b
;
SELECT a LIKE b, a ~~ b, a !~~* b;
SELECT a = = b;
SELECT a =/*x*/= b;
SELECT a ->> b, a # b, a ? b;
SELECT x ~ y;
SELECT E'x' - 1;
SELECT E'y' -% 2;
SELECT 1 /% 2;
SELECT 1 !==
