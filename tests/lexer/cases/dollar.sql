SELECT $$a; DROP TABLE x; $$;
SELECT $fn$ BEGIN; $x$ ; $ $fnx$ $fn$;
SELECT $1, $2; UPDATE t SET a = $1;
SELECT a$b$ FROM t; SELECT 1$$; DELETE $$;
SELECT $1x$$; DELETE FROM t;
SELECT $abc + 1; SELECT $_$ ; $_$;
SELECT $é$;$é$;
DO $body$
BEGIN
  PERFORM 1;
END
$body$;
