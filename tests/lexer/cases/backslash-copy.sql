\copy t from stdin
1	a
\.
\copy t (a, b) FROM STDIN WITH (FORMAT csv)
1,a
\.
\copy t from pstdin
x
\.
\copy t to stdout
SELECT 1;
\copy (SELECT * FROM stdin) to 'f'
SELECT 2;
\copy from from stdin
y
\.
\copy s.t from 'stdin'
SELECT 3;
