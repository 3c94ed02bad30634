COPY t FROM STDIN;
(SELECT 1); DELETE FROM t;
\copy t from stdin
DELETE FROM u;
