COPY public.t (a, b) FROM stdin;
1	it's
2	DROP TABLE x;
\.
SELECT 1;
COPY t FROM STDIN; SELECT 2; COPY u FROM STDIN;
data for t
\.
data for u
\.
SELECT 3;
copy "T" from stdin with (format csv, header)
;
a,b
\.
SELECT 4;
COPY t FROM STDIN; SELECT '
x
\.
y';
