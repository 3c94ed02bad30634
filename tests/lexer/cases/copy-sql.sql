COPY t FROM STDIN;
1	ok
hello world
\N	null
\t	tab
DELETE FROM t;
UPDATE t SET x = 1;
\.
COPY u FROM stdin;
  \i evil.sql
\.
COPY v FROM stdin;
\copy t from x
\.
COPY w FROM stdin;
deleted	no
delete
\.
COPY x FROM stdin;
Select(1)
\.
COPY y FROM stdin;
\if false
\.
SELECT 1;
