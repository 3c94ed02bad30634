COPY a FROM STDIN;
1	plain text
2	\N	x\ty\nz\\w
3	O'Brien
4	it's
\.
COPY b FROM STDIN;
(SELECT 1); DELETE FROM t;
\.
COPY c FROM STDIN;
it's
x'; DELETE FROM t;
\.
COPY d FROM STDIN;
1	\t `rm -rf ~`
\.
COPY e FROM STDIN;
1	\tabc;def'
'
\.
COPY f FROM STDIN;
a -- b'; c
d /* e */ f
\.
COPY g FROM STDIN;
a /* ; ' */ b
\.
COPY h FROM STDIN;
x E'a\'' ; b
\.
COPY i FROM STDIN;
price $5 US$ a$b
$$ body
\.
COPY j FROM STDIN;
x \gexec
\.
COPY k FROM STDIN;
x \r \t\f
y \\i evil.sql
\.
COPY l FROM STDIN;
{"a":"b"}	12:30
\.
COPY m FROM STDIN;
x\;y
\.
COPY n FROM STDIN;
/* open
\.
SELECT 1;
