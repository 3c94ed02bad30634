/* Unit tests: SQL statements turned into operation facts (sqlfacts.c),
 * with the real libpg_query. */
#include <stdint.h>
#include <stdlib.h>

#include "sqlfacts.h"
#include "unit.h"

static facts fx;

/* Analyses sql as the statement on line 1 of "-c", replacing the facts of
 * the statement before. */
static void sql(const char *text)
{
	facts_free(&fx);
	fx = (facts){0};
	sql_facts(text, strlen(text), 1, "-c", &fx);
}

static const char *kind(size_t op)
{
	return op < fx.n_ops ? fx.ops[op].kind : NULL;
}

static const char *opf(size_t op, const char *name)
{
	return op < fx.n_ops ? fs_get(&fx.ops[op].f, name) : NULL;
}

/* The first operation of this kind, or SIZE_MAX. */
static size_t find(const char *k)
{
	for (size_t i = 0; i < fx.n_ops; i++)
		if (strcmp(fx.ops[i].kind, k) == 0)
			return i;
	return SIZE_MAX;
}

static const char *kfield(const char *k, const char *name)
{
	return opf(find(k), name);
}

/* One dml operation whose where field is want. */
static void check_where(const char *text, const char *want)
{
	sql(text);
	CHECK(fx.n_ops >= 1 && strcmp(kind(0), "dml") == 0, "%s: no dml operation", text);
	CHECK(opf(0, "where") && strcmp(opf(0, "where"), want) == 0, "%s: where=%s, want %s", text,
	      opf(0, "where") ? opf(0, "where") : "(null)", want);
}

static void test_common_fields(void)
{
	sql("DELETE FROM orders");
	CHECK(fx.n_ops == 1, "one operation, got %zu", fx.n_ops);
	CHECK_STR(kind(0), "dml");
	CHECK_STR(opf(0, "statement"), "DELETE");
	CHECK_STR(opf(0, "sql"), "DELETE FROM orders");
	CHECK_STR(opf(0, "line"), "1");
	CHECK_STR(opf(0, "source"), "-c");
	CHECK(opf(0, "token") == NULL, "token is the caller's");

	/* the line argument is the statement's first line */
	facts_free(&fx);
	fx = (facts){0};
	sql_facts("\n\n  TRUNCATE t;\n", 14, 41, "deploy.sql", &fx);
	CHECK_STR(opf(0, "line"), "43");
	CHECK_STR(opf(0, "source"), "deploy.sql");
	CHECK_STR(opf(0, "sql"), "TRUNCATE t");

	/* the text need not be NUL-terminated: only len bytes count */
	facts_free(&fx);
	fx = (facts){0};
	sql_facts("DELETE FROM a; DROP TABLE b", 14, 1, "-c", &fx);
	CHECK(fx.n_ops == 1 && strcmp(kind(0), "dml") == 0, "only the first len bytes");
}

static void test_dml(void)
{
	sql("DELETE FROM public.users WHERE id = 42");
	CHECK_STR(opf(0, "table"), "public.users");
	CHECK_STR(opf(0, "where"), "present");
	CHECK_STR(opf(0, "in_cte"), "no");
	CHECK_STR(opf(0, "returning"), "no");

	sql("UPDATE ONLY a.b AS x SET c = 1, d = DEFAULT RETURNING *");
	CHECK_STR(opf(0, "statement"), "UPDATE");
	CHECK_STR(opf(0, "table"), "a.b");
	CHECK_STR(opf(0, "where"), "none");
	CHECK_STR(opf(0, "returning"), "yes");
	CHECK_STR(opf(0, "columns"), "c, d");

	/* USING / FROM without WHERE joins every row */
	check_where("DELETE FROM t USING u", "none");
	check_where("DELETE FROM t WHERE CURRENT OF c", "present");
	check_where("UPDATE t SET a = s.a FROM s WHERE t.id = s.id", "present");

	/* a cross-database name keeps its catalog */
	sql("DELETE FROM db.s.t");
	CHECK_STR(opf(0, "table"), "db.s.t");
}

/* INSERT ... ON CONFLICT DO UPDATE updates existing rows: a dml operation. */
static void test_upsert(void)
{
	check_where("INSERT INTO t SELECT * FROM t ON CONFLICT (id) DO UPDATE SET v = 'x'", "none");
	CHECK_STR(opf(0, "statement"), "INSERT");
	CHECK_STR(opf(0, "table"), "t");
	CHECK_STR(opf(0, "on_conflict"), "update");
	CHECK_STR(opf(0, "rows_from"), "query");
	CHECK_STR(opf(0, "columns"), "v");
	check_where("INSERT INTO t VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET v = excluded.v "
	            "WHERE t.v IS NULL",
	            "present");
	CHECK_STR(opf(0, "rows_from"), "values");
	check_where(
	    "INSERT INTO t DEFAULT VALUES ON CONFLICT (id) DO UPDATE SET v = 'x' WHERE 1 = 1",
	    "constant-true");
	CHECK_STR(opf(0, "rows_from"), "default-values");
	check_where(
	    "INSERT INTO t VALUES (1) UNION SELECT 2 ON CONFLICT (id) DO UPDATE SET v = 'x'",
	    "none");
	CHECK_STR(opf(0, "rows_from"), "query");
	sql("WITH i AS (INSERT INTO t SELECT * FROM s ON CONFLICT (id) DO UPDATE SET v = 'q' "
	    "RETURNING *) SELECT * FROM i");
	CHECK_STR(kfield("dml", "in_cte"), "yes");
	CHECK_STR(kfield("dml", "returning"), "yes");
	/* the DO UPDATE's expressions run: a function there is opaque */
	sql("INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET v = f()");
	CHECK_STR(kfield("opaque", "function"), "f");
	sql("INSERT INTO t SELECT * FROM s ON CONFLICT DO NOTHING");
	CHECK(fx.n_ops == 0, "DO NOTHING: %zu operations", fx.n_ops);
	sql("INSERT INTO t SELECT * FROM s");
	CHECK(fx.n_ops == 0, "INSERT: %zu operations", fx.n_ops);
}

static void test_tautologies(void)
{
	static const char *const always[] = {
	    "DELETE FROM t WHERE true",
	    "DELETE FROM t WHERE 1=1",
	    "DELETE FROM t WHERE 'a' = 'a'",
	    "DELETE FROM t WHERE x = x",
	    "DELETE FROM t WHERE t.x = t.x",
	    "DELETE FROM t WHERE x IS NOT DISTINCT FROM x",
	    "DELETE FROM t WHERE id > 5 OR true",
	    "DELETE FROM t WHERE 1",
	    "DELETE FROM t WHERE NOT false",
	    "DELETE FROM t WHERE 1 IS NOT NULL",
	    "DELETE FROM t WHERE NULL IS NULL",
	    "DELETE FROM t WHERE 't'",
	    "DELETE FROM t WHERE 'yes'::boolean",
	    "DELETE FROM t WHERE CAST(1 AS bool)",
	    "DELETE FROM t WHERE 2 > 1 AND 1 <> 2",
	    "DELETE FROM t WHERE 2.5 >= 1",
	    "DELETE FROM t WHERE '1' = 1",
	    "DELETE FROM t WHERE 1 IN (3, 2, 1)",
	    "DELETE FROM t WHERE 4 NOT IN (1, 2)",
	    "DELETE FROM t WHERE EXISTS (SELECT 1)",
	    "DELETE FROM t WHERE (true) IS TRUE",
	    "DELETE FROM t WHERE false IS NOT TRUE",
	    /* libpg_query 15-4.0 writes 0 and negatives as {}: read from
	     * the text */
	    "DELETE FROM t WHERE -1 = -1",
	    "DELETE FROM t WHERE -1 <> 0",
	    "DELETE FROM t WHERE - 3 < 0",
	    "UPDATE t SET a = 1 WHERE ((x = 1) OR (1 = 1))",
	};
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		check_where(always[i], "constant-true");

	static const char *const depends[] = {
	    "DELETE FROM t WHERE x = 1 AND true", "DELETE FROM t WHERE false",
	    "DELETE FROM t WHERE NULL",           "DELETE FROM t WHERE false OR NULL",
	    "DELETE FROM t WHERE 'a' < 'b'", /* collation-dependent */
	    "DELETE FROM t WHERE 0 = -1",         "DELETE FROM t WHERE x = y",
	    "DELETE FROM t WHERE x = random()",   "DELETE FROM t WHERE EXISTS (SELECT 1 FROM u)",
	    "DELETE FROM t WHERE 3 IN (1, 2)",    "DELETE FROM t WHERE 'maybe'",
	    "DELETE FROM t WHERE x = -x",
	};
	for (size_t i = 0; i < sizeof(depends) / sizeof(depends[0]); i++)
		check_where(depends[i], "present");
}

static void test_cte_and_merge(void)
{
	sql("WITH d AS (DELETE FROM t WHERE true RETURNING *) SELECT * FROM d");
	CHECK(fx.n_ops == 1, "one operation, got %zu", fx.n_ops);
	CHECK_STR(opf(0, "statement"), "DELETE");
	CHECK_STR(opf(0, "in_cte"), "yes");
	CHECK_STR(opf(0, "where"), "constant-true");
	CHECK_STR(opf(0, "returning"), "yes");
	CHECK_STR(opf(0, "sql"),
	          "WITH d AS (DELETE FROM t WHERE true RETURNING *) SELECT * FROM d");

	/* two data-modifying statements: both reported */
	sql("WITH a AS (UPDATE s.x SET v = 0 RETURNING id) DELETE FROM y WHERE id IN (SELECT id "
	    "FROM a)");
	CHECK(fx.n_ops == 2, "two operations, got %zu", fx.n_ops);
	CHECK(find("dml") != SIZE_MAX, "dml");
	int ctes = 0;
	for (size_t i = 0; i < fx.n_ops; i++)
		ctes += strcmp(opf(i, "in_cte"), "yes") == 0 &&
		        strcmp(opf(i, "statement"), "UPDATE") == 0 &&
		        strcmp(opf(i, "table"), "s.x") == 0 && strcmp(opf(i, "where"), "none") == 0;
	CHECK(ctes == 1, "the UPDATE in the WITH, unqualified");

	/* nested inside INSERT ... SELECT, and under COPY (query) */
	sql("INSERT INTO archive WITH gone AS (DELETE FROM live RETURNING *) SELECT * FROM gone");
	CHECK_STR(kfield("dml", "table"), "live");
	CHECK_STR(kfield("dml", "in_cte"), "yes");
	sql("COPY (DELETE FROM t RETURNING *) TO STDOUT");
	CHECK_STR(kfield("dml", "where"), "none");

	sql("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED AND s.gone THEN DELETE "
	    "WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.id)");
	CHECK_STR(opf(0, "statement"), "MERGE");
	CHECK_STR(opf(0, "where"), "present");
	CHECK_STR(opf(0, "actions"), "delete,update");
	sql("MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE");
	CHECK_STR(opf(0, "where"), "constant-true");
	sql("MERGE INTO t USING s ON 1 = 1 WHEN MATCHED AND t.x > 0 THEN DELETE");
	CHECK_STR(opf(0, "where"), "present");
	/* inserting only, MERGE is an INSERT */
	sql("MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id) "
	    "WHEN MATCHED THEN DO NOTHING");
	CHECK(fx.n_ops == 0, "insert-only MERGE: %zu operations", fx.n_ops);
}

static void test_truncate_drop(void)
{
	sql("TRUNCATE a, b.c RESTART IDENTITY CASCADE");
	CHECK_STR(kind(0), "truncate");
	CHECK_STR(opf(0, "tables"), "a, b.c");
	CHECK_STR(opf(0, "cascade"), "yes");
	CHECK_STR(opf(0, "restart_identity"), "yes");
	sql("TRUNCATE TABLE ONLY t");
	CHECK_STR(opf(0, "cascade"), "no");
	CHECK_STR(opf(0, "restart_identity"), "no");

	sql("DROP TABLE IF EXISTS a, s.b CASCADE");
	CHECK_STR(kind(0), "drop");
	CHECK_STR(opf(0, "statement"), "DROP TABLE");
	CHECK_STR(opf(0, "object"), "table");
	CHECK_STR(opf(0, "names"), "a, s.b");
	CHECK_STR(opf(0, "cascade"), "yes");
	CHECK_STR(opf(0, "if_exists"), "yes");

	sql("DROP SCHEMA app");
	CHECK_STR(opf(0, "object"), "schema");
	CHECK_STR(opf(0, "cascade"), "no");
	sql("DROP MATERIALIZED VIEW mv");
	CHECK_STR(opf(0, "statement"), "DROP MATERIALIZED VIEW");
	sql("DROP FUNCTION IF EXISTS s.f(int), g");
	CHECK_STR(opf(0, "names"), "s.f, g");
	sql("DROP TRIGGER tr ON s.t");
	CHECK_STR(opf(0, "names"), "tr");
	CHECK_STR(opf(0, "table"), "s.t");
	sql("DROP OWNED BY alice CASCADE");
	CHECK_STR(opf(0, "statement"), "DROP OWNED");
	CHECK_STR(opf(0, "names"), "alice");
	sql("DROP ROLE a, b");
	CHECK_STR(opf(0, "object"), "role");
	CHECK_STR(opf(0, "names"), "a, b");

	sql("DROP DATABASE IF EXISTS shop WITH (FORCE)");
	CHECK_STR(kind(0), "drop-database");
	CHECK_STR(opf(0, "name"), "shop");
	CHECK_STR(opf(0, "force"), "yes");
	CHECK_STR(opf(0, "if_exists"), "yes");

	/* DROP INDEX: a drop and an index operation */
	sql("DROP INDEX CONCURRENTLY ix");
	CHECK(fx.n_ops == 2, "two operations, got %zu", fx.n_ops);
	CHECK_STR(kfield("drop", "object"), "index");
	CHECK_STR(kfield("index", "action"), "drop");
	CHECK_STR(kfield("index", "concurrently"), "yes");
	sql("DROP INDEX ix");
	CHECK_STR(kfield("index", "concurrently"), "no");
}

/* The subcommand of the alter-table operation whose name field is name. */
static const char *subcommand_for(const char *name)
{
	for (size_t i = 0; i < fx.n_ops; i++) {
		const char *c = opf(i, "column"), *k = opf(i, "constraint");
		if ((c && strcmp(c, name) == 0) || (k && strcmp(k, name) == 0))
			return opf(i, "subcommand");
	}
	return NULL;
}

static void test_alter_table(void)
{
	sql("ALTER TABLE IF EXISTS s.t DROP COLUMN IF EXISTS c CASCADE, "
	    "ALTER COLUMN d TYPE bigint, ALTER COLUMN e SET NOT NULL, "
	    "ADD COLUMN f int NOT NULL, ADD COLUMN g int NOT NULL DEFAULT 0, "
	    "ADD COLUMN h int, ADD CONSTRAINT k CHECK (x > 0) NOT VALID, "
	    "ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id), DROP CONSTRAINT old, "
	    "ADD COLUMN i bigint GENERATED ALWAYS AS IDENTITY, ADD COLUMN j timestamptz "
	    "DEFAULT clock_timestamp(), ADD COLUMN l timestamptz DEFAULT now(), "
	    "ALTER COLUMN m SET DEFAULT my_fn()");
	CHECK(fx.n_ops == 8, "8 operations, got %zu", fx.n_ops);
	CHECK_STR(kind(0), "alter-table");
	CHECK_STR(opf(0, "statement"), "ALTER TABLE");
	CHECK_STR(opf(0, "table"), "s.t");
	CHECK_STR(subcommand_for("c"), "drop-column");
	CHECK_STR(opf(0, "cascade"), "yes");
	CHECK_STR(subcommand_for("d"), "alter-column-type");
	CHECK_STR(opf(1, "type"), "int8");
	CHECK_STR(subcommand_for("e"), "set-not-null");
	CHECK_STR(subcommand_for("f"), "add-column-not-null-no-default");
	CHECK(subcommand_for("g") == NULL, "NOT NULL DEFAULT 0 is cheap since PostgreSQL 11");
	CHECK(subcommand_for("h") == NULL, "a nullable column is cheap");
	CHECK(subcommand_for("k") == NULL, "NOT VALID skips the scan");
	CHECK_STR(subcommand_for("fk"), "add-constraint-validated");
	CHECK_STR(subcommand_for("old"), "drop-constraint");
	CHECK_STR(subcommand_for("i"), "add-column-rewrite");
	CHECK_STR(subcommand_for("j"), "add-column-rewrite");
	CHECK(subcommand_for("l") == NULL, "DEFAULT now() is evaluated once");
	CHECK(find("opaque") == SIZE_MAX, "SET DEFAULT runs nothing now");

	sql("ALTER TABLE t ALTER COLUMN v TYPE int USING my_parse(v)");
	CHECK_STR(kfield("alter-table", "subcommand"), "alter-column-type");
	CHECK_STR(kfield("opaque", "function"), "my_parse");

	sql("ALTER TABLE t ADD PRIMARY KEY (id)");
	CHECK_STR(opf(0, "subcommand"), "add-constraint-validated");
	CHECK_STR(opf(0, "constraint_type"), "primary-key");
	sql("ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY USING INDEX t_id");
	CHECK(fx.n_ops == 0, "USING INDEX: %zu operations", fx.n_ops);

	sql("ALTER TABLE t SET UNLOGGED, DISABLE TRIGGER ALL, DISABLE ROW LEVEL SECURITY");
	CHECK_STR(opf(0, "subcommand"), "set-unlogged");
	CHECK_STR(opf(1, "subcommand"), "disable-trigger-all");
	CHECK_STR(opf(2, "subcommand"), "disable-row-security");

	sql("ALTER TABLE t RENAME COLUMN a TO b");
	CHECK_STR(opf(0, "subcommand"), "rename-column");
	CHECK_STR(opf(0, "column"), "a");
	CHECK_STR(opf(0, "new_name"), "b");
	sql("ALTER TABLE t RENAME TO u");
	CHECK_STR(opf(0, "subcommand"), "rename");
	sql("ALTER SCHEMA a RENAME TO b");
	CHECK_STR(kind(0), "rename");
	CHECK_STR(opf(0, "object"), "schema");
	CHECK_STR(opf(0, "names"), "a");

	sql("ALTER TABLE s.t SET SCHEMA archive");
	CHECK_STR(opf(0, "subcommand"), "set-schema");
	CHECK_STR(opf(0, "new_schema"), "archive");
	sql("ALTER TYPE point3 DROP ATTRIBUTE z");
	CHECK_STR(opf(0, "statement"), "ALTER TYPE");
	CHECK_STR(opf(0, "subcommand"), "drop-column");

	sql("ALTER TABLE t DETACH PARTITION t_2020 CONCURRENTLY");
	CHECK_STR(opf(0, "subcommand"), "detach-partition");
	CHECK_STR(opf(0, "partition"), "t_2020");

	sql("ALTER TABLE t ADD COLUMN note text, ALTER COLUMN x DROP NOT NULL");
	CHECK(fx.n_ops == 0, "harmless subcommands: %zu operations", fx.n_ops);
	/* OWNER TO is a privilege change (test_owner_database_sequence) */
	sql("ALTER TABLE t ADD COLUMN note text, OWNER TO bob");
	CHECK(fx.n_ops == 1 && strcmp(kind(0), "privilege") == 0, "OWNER TO: a privilege");
}

/* Statements that lock, move or switch safeguards off, reported so that
 * rules can confirm them. */
static void test_locks_and_safeguards(void)
{
	sql("ALTER TABLE t ADD COLUMN id2 bigint PRIMARY KEY");
	CHECK_STR(opf(0, "subcommand"), "add-column-not-null-no-default");
	sql("ALTER MATERIALIZED VIEW s.m SET SCHEMA archive");
	CHECK_STR(opf(0, "statement"), "ALTER MATERIALIZED VIEW");
	CHECK_STR(opf(0, "subcommand"), "set-schema");
	CHECK_STR(opf(0, "table"), "s.m");
	sql("ALTER TABLE ALL IN TABLESPACE fast OWNED BY a, b SET TABLESPACE slow");
	CHECK_STR(kind(0), "alter-table");
	CHECK_STR(opf(0, "table"), "all in tablespace fast owned by a, b");
	CHECK_STR(opf(0, "subcommand"), "set-tablespace");
	CHECK_STR(opf(0, "tablespace"), "slow");
	sql("ALTER INDEX ALL IN TABLESPACE fast SET TABLESPACE slow");
	CHECK_STR(opf(0, "statement"), "ALTER INDEX");
	sql("ALTER TABLE t SET ACCESS METHOD heap2");
	CHECK_STR(opf(0, "subcommand"), "set-access-method");
	CHECK_STR(opf(0, "access_method"), "heap2");

	sql("LOCK TABLE t");
	CHECK_STR(kind(0), "lock");
	CHECK_STR(opf(0, "mode"), "access exclusive");
	CHECK_STR(opf(0, "nowait"), "no");
	sql("LOCK ONLY a, s.b IN SHARE UPDATE EXCLUSIVE MODE NOWAIT");
	CHECK_STR(opf(0, "tables"), "a, s.b");
	CHECK_STR(opf(0, "mode"), "share update exclusive");
	CHECK_STR(opf(0, "nowait"), "yes");

	sql("REFRESH MATERIALIZED VIEW s.m WITH NO DATA");
	CHECK_STR(kind(0), "refresh");
	CHECK_STR(opf(0, "view"), "s.m");
	CHECK_STR(opf(0, "concurrently"), "no");
	CHECK_STR(opf(0, "with_data"), "no");
	sql("REFRESH MATERIALIZED VIEW CONCURRENTLY m");
	CHECK_STR(opf(0, "concurrently"), "yes");

	static const char *const replica[][3] = {
	    {"SET session_replication_role = replica", "SET", "session"},
	    {"SET LOCAL session_replication_role TO 'REPLICA'", "SET", "local"},
	    {"SET SESSION session_replication_role = replica", "SET", "session"},
	    {"ALTER ROLE r SET session_replication_role = replica", "ALTER ROLE", "role"},
	    {"ALTER DATABASE d SET session_replication_role = replica", "ALTER DATABASE",
	     "database"},
	    {"SELECT set_config('session_replication_role', 'replica', true)", "SELECT", "local"},
	};
	for (size_t i = 0; i < sizeof(replica) / sizeof(replica[0]); i++) {
		sql(replica[i][0]);
		CHECK(fx.n_ops == 1 && strcmp(kind(0), "setting") == 0, "%s: a setting",
		      replica[i][0]);
		CHECK_STR(opf(0, "setting"), "session_replication_role");
		CHECK_STR(opf(0, "statement"), replica[i][1]);
		CHECK_STR(opf(0, "scope"), replica[i][2]);
	}
	sql("SET session_replication_role = origin");
	CHECK(fx.n_ops == 0, "origin: %zu operations", fx.n_ops);
	sql("SELECT set_config('session_replication_role', current_user, false)");
	CHECK_STR(kfield("setting", "value"), "?");

	sql("ALTER DOMAIN s.d RENAME CONSTRAINT c TO e");
	CHECK_STR(kind(0), "rename");
	CHECK_STR(opf(0, "statement"), "ALTER DOMAIN");
	CHECK_STR(opf(0, "object"), "domain");
	CHECK_STR(opf(0, "names"), "s.d");
	CHECK_STR(opf(0, "constraint"), "c");
	CHECK_STR(opf(0, "new_name"), "e");
}

/* Operators are code too: pg_catalog's names are trusted, like the safe
 * functions; the statement's operators go on its dml operations. */
static void test_operators(void)
{
	sql("SELECT 1 #%# 2, 3 #%# 4");
	CHECK(fx.n_ops == 1, "one opaque operation per operator, got %zu", fx.n_ops);
	CHECK_STR(kind(0), "opaque");
	CHECK_STR(opf(0, "operator"), "#%#");
	CHECK_STR(opf(0, "statement"), "SELECT");
	sql("SELECT a OPERATOR(app.+) b, a OPERATOR(pg_catalog.+) b FROM t");
	CHECK(fx.n_ops == 1, "a qualified operator: %zu", fx.n_ops);
	CHECK_STR(opf(0, "operator"), "app.+");
	sql("SELECT * FROM t WHERE x #%# ANY (SELECT y FROM u)");
	CHECK_STR(kfield("opaque", "operator"), "#%#");
	sql("SELECT * FROM t ORDER BY x USING #<#");
	CHECK_STR(kfield("opaque", "operator"), "#<#");
	sql("SELECT data->>'k', data @> '{}', a || b, -x, x ^ 2 FROM t "
	    "WHERE a != 1 AND b ~* 'x' AND c SIMILAR TO 'y'");
	CHECK(fx.n_ops == 0, "built-in operators: %zu operations", fx.n_ops);

	sql("DELETE FROM t WHERE id = (1 #%# 2)");
	CHECK_STR(kfield("dml", "operators"), "= #%#");
	CHECK_STR(kfield("opaque", "operator"), "#%#");
	sql("UPDATE t SET a = a + 1 WHERE b BETWEEN 1 AND 2 AND c NOT BETWEEN 3 AND 4 "
	    "AND d LIKE 'x%' AND e IN (1, 2) AND f IS DISTINCT FROM 3");
	CHECK_STR(kfield("dml", "operators"), "+ >= <= < > ~~ =");
	sql("DELETE FROM t WHERE id IS NULL");
	CHECK(kfield("dml", "operators") == NULL, "no operators: no field");

	/* a function or operator named like a trusted built-in stands in
	 * for it with other argument types */
	sql("CREATE FUNCTION public.lower(int) RETURNS int LANGUAGE sql RETURN 1");
	CHECK_STR(kind(0), "opaque");
	CHECK_STR(opf(0, "function"), "public.lower");
	sql("CREATE OPERATOR = (FUNCTION = f, LEFTARG = text, RIGHTARG = int)");
	CHECK_STR(opf(0, "operator"), "=");
	sql("CREATE OPERATOR #%# (FUNCTION = f, LEFTARG = int, RIGHTARG = int)");
	CHECK(fx.n_ops == 0, "a new operator name: %zu", fx.n_ops);
}

static void test_index_vacuum(void)
{
	sql("CREATE INDEX ON t (a)");
	CHECK_STR(kind(0), "index");
	CHECK_STR(opf(0, "action"), "create");
	CHECK_STR(opf(0, "concurrently"), "no");
	CHECK_STR(opf(0, "table"), "t");
	sql("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON s.t (lower(a)) WHERE b");
	CHECK_STR(opf(0, "concurrently"), "yes");
	CHECK_STR(opf(0, "unique"), "yes");
	CHECK_STR(opf(0, "names"), "ix");
	CHECK(fx.n_ops == 1, "lower() is safe");
	sql("REINDEX TABLE t");
	CHECK_STR(opf(0, "action"), "reindex");
	CHECK_STR(opf(0, "concurrently"), "no");
	sql("REINDEX (CONCURRENTLY) INDEX ix");
	CHECK_STR(opf(0, "concurrently"), "yes");

	sql("VACUUM FULL t");
	CHECK_STR(kind(0), "vacuum");
	CHECK_STR(opf(0, "statement"), "VACUUM FULL");
	CHECK_STR(opf(0, "full"), "yes");
	CHECK_STR(opf(0, "tables"), "t");
	sql("VACUUM (FULL, ANALYZE) a, b");
	CHECK_STR(opf(0, "full"), "yes");
	CHECK_STR(opf(0, "tables"), "a, b");
	sql("VACUUM (FULL false) t");
	CHECK_STR(opf(0, "full"), "no");
	sql("VACUUM");
	CHECK_STR(opf(0, "full"), "no");
	sql("CLUSTER t USING t_pkey");
	CHECK_STR(opf(0, "statement"), "CLUSTER");
	CHECK_STR(opf(0, "full"), "yes");
	sql("ANALYZE t");
	CHECK(fx.n_ops == 0, "ANALYZE: %zu operations", fx.n_ops);
}

/* Exactly one read-write operation with this setting. */
static void check_read_write(const char *text, const char *setting, const char *scope)
{
	sql(text);
	size_t i = find("read-write");
	CHECK(i != SIZE_MAX && fx.n_ops == 1, "%s: one read-write operation", text);
	CHECK(opf(i, "setting") && strcmp(opf(i, "setting"), setting) == 0, "%s: setting %s", text,
	      opf(i, "setting") ? opf(i, "setting") : "(null)");
	CHECK(opf(i, "scope") && strcmp(opf(i, "scope"), scope) == 0, "%s: scope %s", text,
	      opf(i, "scope") ? opf(i, "scope") : "(null)");
}

static void test_read_write(void)
{
	check_read_write("SET default_transaction_read_only = off", "default_transaction_read_only",
	                 "session");
	check_read_write("SET SESSION default_transaction_read_only TO false",
	                 "default_transaction_read_only", "session");
	check_read_write("SET default_transaction_read_only = 0", "default_transaction_read_only",
	                 "session");
	check_read_write("SET LOCAL transaction_read_only = no", "transaction_read_only", "local");
	check_read_write("RESET default_transaction_read_only", "default_transaction_read_only",
	                 "session");
	check_read_write("SET transaction_read_only TO DEFAULT", "transaction_read_only",
	                 "session");
	check_read_write("RESET ALL", "all", "session");
	check_read_write("DISCARD ALL", "all", "session");
	check_read_write("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
	                 "transaction_read_only", "session");
	check_read_write("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE",
	                 "transaction_read_only", "transaction");
	check_read_write("BEGIN READ WRITE", "transaction_read_only", "transaction");
	check_read_write("START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE",
	                 "transaction_read_only", "transaction");
	check_read_write("SELECT set_config('default_transaction_read_only', 'off', false)",
	                 "default_transaction_read_only", "session");
	check_read_write("SELECT pg_catalog.set_config('transaction_read_only', 'f', true)",
	                 "transaction_read_only", "local");
	check_read_write("ALTER DATABASE shop SET default_transaction_read_only = off",
	                 "default_transaction_read_only", "database");
	check_read_write("ALTER ROLE app IN DATABASE shop SET transaction_read_only TO off",
	                 "transaction_read_only", "role");
	CHECK_STR(kfield("read-write", "statement"), "ALTER ROLE");

	static const char *const harmless[] = {
	    "SET default_transaction_read_only = on",
	    "SET transaction_read_only TO true",
	    "BEGIN",
	    "START TRANSACTION READ ONLY",
	    "SET TRANSACTION READ ONLY",
	    "SELECT set_config('default_transaction_read_only', 'on', false)",
	    "SELECT set_config('application_name', 'x', false)",
	    "SET statement_timeout = '5s'",
	    "SET search_path = app, public",
	    "SET NAMES 'UTF8'",
	    "RESET statement_timeout",
	};
	for (size_t i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++) {
		sql(harmless[i]);
		CHECK(fx.n_ops == 0, "%s: %zu operations", harmless[i], fx.n_ops);
	}

	/* set_config with a computed name cannot be judged */
	sql("SELECT set_config(name, 'off', false) FROM settings");
	CHECK_STR(kfield("opaque", "function"), "set_config");
}

/* PostgreSQL takes a repeated option's last occurrence, and reads a
 * boolean option as defGetBoolean() does. */
static void test_repeated_options(void)
{
	sql("EXPLAIN (ANALYZE false, ANALYZE true) DELETE FROM t");
	CHECK_STR(kfield("dml", "statement"), "DELETE");
	sql("EXPLAIN (ANALYZE true, ANALYZE off) DELETE FROM t");
	CHECK(fx.n_ops == 0, "EXPLAIN (... ANALYZE off): %zu operations", fx.n_ops);
	sql("EXPLAIN (ANALYZE 1) DELETE FROM t");
	CHECK_STR(kfield("dml", "statement"), "DELETE");
	sql("EXPLAIN (ANALYZE 0) DELETE FROM t");
	CHECK(fx.n_ops == 0, "EXPLAIN (ANALYZE 0): %zu operations", fx.n_ops);
	sql("VACUUM (FULL false, FULL true) t");
	CHECK_STR(opf(0, "full"), "yes");
	sql("VACUUM (FULL true, FULL OFF) t");
	CHECK_STR(opf(0, "full"), "no");
	sql("REINDEX (CONCURRENTLY true, CONCURRENTLY false) TABLE t");
	CHECK_STR(opf(0, "concurrently"), "no");
	sql("REINDEX (CONCURRENTLY false, CONCURRENTLY) TABLE t");
	CHECK_STR(opf(0, "concurrently"), "yes");
	/* yes is boolin's, not defGetBoolean's: the server refuses it, and
	 * interlock reads it as the risky value */
	sql("REINDEX (CONCURRENTLY yes) TABLE t");
	CHECK_STR(opf(0, "concurrently"), "no");
	sql("VACUUM (FULL yes) t");
	CHECK_STR(opf(0, "full"), "yes");
	sql("DROP DATABASE d WITH (FORCE, FORCE)");
	CHECK_STR(opf(0, "force"), "yes");
	check_read_write("BEGIN READ ONLY, READ WRITE", "transaction_read_only", "transaction");
	check_read_write("SET TRANSACTION READ ONLY, READ WRITE", "transaction_read_only",
	                 "transaction");
	static const char *const read_only[] = {
	    "BEGIN READ WRITE, READ ONLY",
	    "START TRANSACTION READ WRITE, ISOLATION LEVEL SERIALIZABLE, READ ONLY",
	    "SET TRANSACTION READ WRITE, READ ONLY",
	    "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE, READ ONLY",
	};
	for (size_t i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++) {
		sql(read_only[i]);
		CHECK(fx.n_ops == 0, "%s: %zu operations", read_only[i], fx.n_ops);
	}
}

static void test_privilege_copy_system(void)
{
	sql("GRANT SELECT, UPDATE ON TABLE a, s.b TO alice, PUBLIC WITH GRANT OPTION");
	CHECK_STR(kind(0), "privilege");
	CHECK_STR(opf(0, "statement"), "GRANT");
	CHECK_STR(opf(0, "privileges"), "select, update");
	CHECK_STR(opf(0, "object"), "table");
	CHECK_STR(opf(0, "objects"), "a, s.b");
	CHECK_STR(opf(0, "grantees"), "alice, PUBLIC");
	CHECK_STR(opf(0, "grant_option"), "yes");
	sql("REVOKE ALL ON ALL TABLES IN SCHEMA s FROM bob");
	CHECK_STR(opf(0, "statement"), "REVOKE");
	CHECK_STR(opf(0, "privileges"), "all");
	sql("GRANT admin TO bob");
	CHECK_STR(opf(0, "object"), "role");
	CHECK_STR(opf(0, "objects"), "admin");
	sql("REASSIGN OWNED BY alice TO bob");
	CHECK_STR(opf(0, "statement"), "REASSIGN OWNED");
	CHECK_STR(opf(0, "grantees"), "bob");
	sql("ALTER ROLE bob SUPERUSER");
	CHECK_STR(opf(0, "statement"), "ALTER ROLE");
	CHECK_STR(opf(0, "privileges"), "superuser");
	sql("ALTER ROLE bob NOSUPERUSER LOGIN");
	CHECK_STR(opf(0, "privileges"), "nosuperuser, login");
	/* SQL's keywords, not PostgreSQL's internal option names */
	sql("ALTER ROLE bob NOLOGIN REPLICATION CONNECTION LIMIT 3 NOBYPASSRLS");
	CHECK_STR(opf(0, "privileges"), "nologin, replication, connection limit, nobypassrls");
	sql("CREATE ROLE bob IN ROLE a VALID UNTIL 'infinity'");
	CHECK_STR(opf(0, "privileges"), "in role, valid until");
	sql("SECURITY LABEL FOR selinux ON TABLE s.t IS 'x'");
	CHECK_STR(opf(0, "statement"), "SECURITY LABEL");
	CHECK_STR(opf(0, "privileges"), "security label");
	CHECK_STR(opf(0, "object"), "table");
	CHECK_STR(opf(0, "objects"), "s.t");
	CHECK_STR(opf(0, "provider"), "selinux");
	sql("ALTER TABLE orders RENAME CONSTRAINT a TO b");
	CHECK_STR(opf(0, "statement"), "ALTER TABLE");
	CHECK_STR(opf(0, "subcommand"), "rename-constraint");
	CHECK_STR(opf(0, "constraint"), "a");

	sql("COPY t FROM PROGRAM 'curl -s https://example.com/x.csv'");
	CHECK_STR(kfield("copy-program", "program"), "curl -s https://example.com/x.csv");
	CHECK_STR(kfield("copy-program", "direction"), "from");
	CHECK_STR(kfield("copy-in", "from"), "program");
	sql("COPY (SELECT 1) TO PROGRAM 'sh -c id'");
	CHECK_STR(kfield("copy-program", "direction"), "to");
	CHECK(find("copy-in") == SIZE_MAX, "TO is not a load");
	sql("COPY s.t (a, b) FROM STDIN WITH (FORMAT csv)");
	CHECK_STR(kind(0), "copy-in");
	CHECK_STR(opf(0, "table"), "s.t");
	CHECK_STR(opf(0, "from"), "stdin");
	CHECK_STR(opf(0, "source"), "-c");
	sql("COPY t FROM '/srv/load.csv'");
	CHECK_STR(opf(0, "from"), "file");
	CHECK_STR(opf(0, "file"), "/srv/load.csv");
	sql("COPY t TO '/var/lib/postgresql/x'");
	CHECK_STR(kind(0), "copy-out");
	sql("COPY t TO STDOUT");
	CHECK(fx.n_ops == 0, "COPY TO STDOUT: %zu operations", fx.n_ops);

	sql("ALTER SYSTEM SET wal_level = minimal");
	CHECK_STR(kind(0), "alter-system");
	CHECK_STR(opf(0, "setting"), "wal_level");
	CHECK_STR(opf(0, "value"), "minimal");
	sql("ALTER SYSTEM SET default_transaction_read_only = off");
	CHECK(find("alter-system") != SIZE_MAX && find("read-write") != SIZE_MAX,
	      "alter-system and read-write");
}

/* Ownership, database options and sequence restarts. */
static void test_owner_database_sequence(void)
{
	sql("ALTER TABLE s.t OWNER TO bob");
	CHECK_STR(kind(0), "privilege");
	CHECK_STR(opf(0, "privileges"), "ownership");
	CHECK_STR(opf(0, "object"), "table");
	CHECK_STR(opf(0, "objects"), "s.t");
	CHECK_STR(opf(0, "grantees"), "bob");
	sql("ALTER MATERIALIZED VIEW m OWNER TO CURRENT_USER");
	CHECK_STR(opf(0, "statement"), "ALTER MATERIALIZED VIEW");
	CHECK_STR(opf(0, "grantees"), "CURRENT_USER");
	sql("ALTER FUNCTION f(int) OWNER TO bob");
	CHECK_STR(opf(0, "object"), "function");
	CHECK_STR(opf(0, "objects"), "f");
	sql("ALTER DATABASE shop OWNER TO bob");
	CHECK_STR(opf(0, "statement"), "ALTER DATABASE");
	CHECK_STR(opf(0, "objects"), "shop");
	sql("ALTER LARGE OBJECT 42 OWNER TO bob");
	CHECK_STR(opf(0, "objects"), "42");
	sql("ALTER FUNCTION f(int) SECURITY DEFINER");
	CHECK_STR(opf(0, "privileges"), "security definer");

	sql("ALTER DATABASE shop WITH ALLOW_CONNECTIONS false CONNECTION LIMIT -1 IS_TEMPLATE on");
	CHECK(fx.n_ops == 3, "one operation per option, got %zu", fx.n_ops);
	CHECK_STR(kind(0), "alter-database");
	CHECK_STR(opf(0, "name"), "shop");
	CHECK_STR(opf(0, "option"), "allow_connections");
	CHECK_STR(opf(0, "value"), "no");
	CHECK_STR(opf(1, "option"), "connection_limit");
	CHECK_STR(opf(1, "value"), "-1");
	CHECK_STR(opf(2, "option"), "is_template");
	CHECK_STR(opf(2, "value"), "yes");
	sql("ALTER DATABASE shop CONNECTION LIMIT 0");
	CHECK_STR(opf(0, "value"), "0");
	sql("ALTER DATABASE shop WITH CONNECTION_LIMIT = 7");
	CHECK_STR(opf(0, "value"), "7");
	sql("ALTER DATABASE shop SET TABLESPACE slow");
	CHECK_STR(opf(0, "option"), "tablespace");
	CHECK_STR(opf(0, "value"), "slow");

	sql("ALTER SEQUENCE s RESTART");
	CHECK_STR(kind(0), "sequence");
	CHECK_STR(opf(0, "sequence"), "s");
	CHECK_STR(opf(0, "restart"), "yes");
	CHECK_STR(opf(0, "restart_value"), "start");
	CHECK_STR(opf(0, "identity"), "no");
	sql("ALTER SEQUENCE s RESTART WITH -5 MAXVALUE 10");
	CHECK_STR(opf(0, "restart_value"), "-5");
	CHECK_STR(opf(0, "options"), "restart, maxvalue");
	sql("ALTER SEQUENCE s RESTART 0");
	CHECK_STR(opf(0, "restart_value"), "0");
	sql("ALTER TABLE t ALTER COLUMN id RESTART WITH 100");
	CHECK_STR(kfield("sequence", "sequence"), "t.id");
	CHECK_STR(kfield("sequence", "identity"), "yes");
	CHECK_STR(kfield("sequence", "restart_value"), "100");
	sql("ALTER SEQUENCE s OWNED BY t.id");
	CHECK_STR(opf(0, "restart"), "no");
}

static void test_opaque(void)
{
	sql("DO $$ BEGIN DELETE FROM t; END $$");
	CHECK_STR(kind(0), "opaque");
	CHECK_STR(opf(0, "statement"), "DO");
	CHECK(strstr(opf(0, "reason"), "plpgsql") != NULL, "reason names the language");
	sql("EXECUTE purge(1)");
	CHECK_STR(opf(0, "statement"), "EXECUTE");
	sql("CALL app.cleanup()");
	CHECK_STR(opf(0, "function"), "app.cleanup");
	sql("PREPARE purge AS DELETE FROM t");
	CHECK_STR(kind(0), "dml");
	sql("LOAD 'evil'");
	CHECK_STR(kind(0), "opaque");

	/* function calls: safe built-ins pass, anything else is opaque once */
	sql("SELECT now(), count(*), lower(name), pg_catalog.upper(name), EXTRACT(year FROM d), "
	    "substring(s FROM 2), coalesce(a, b), current_date FROM t");
	CHECK(fx.n_ops == 0, "safe built-ins: %zu operations", fx.n_ops);
	sql("SELECT purge_old(), app.f(1), purge_old(), pg_terminate_backend(42)");
	CHECK(fx.n_ops == 3, "one per function, got %zu", fx.n_ops);
	CHECK_STR(opf(0, "function"), "purge_old");
	CHECK_STR(opf(0, "statement"), "SELECT");
	CHECK_STR(opf(1, "function"), "app.f");
	CHECK_STR(opf(2, "function"), "pg_terminate_backend");
	sql("SELECT * FROM generate_series(1, 3), my_srf()");
	CHECK(fx.n_ops == 1 && strcmp(opf(0, "function"), "my_srf") == 0, "set-returning");
	sql("DELETE FROM t WHERE id = my_pick()");
	CHECK_STR(kfield("opaque", "statement"), "DELETE");
	/* a quoted upper-case name is another function than now() */
	sql("SELECT \"NOW\"()");
	CHECK_STR(kfield("opaque", "function"), "NOW");

	sql("CREATE TRIGGER tr AFTER INSERT OR DELETE ON t FOR EACH ROW EXECUTE FUNCTION audit()");
	CHECK_STR(opf(0, "statement"), "CREATE TRIGGER");
	CHECK(strstr(opf(0, "reason"), "insert, delete") != NULL, "reason: %s", opf(0, "reason"));
	sql("CREATE RULE r AS ON INSERT TO t DO INSTEAD DELETE FROM u");
	CHECK(fx.n_ops == 1 && strcmp(kind(0), "opaque") == 0, "rule: opaque only");
	sql("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1");
	CHECK_STR(opf(0, "function"), "f");
	sql("CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END");
	CHECK(fx.n_ops == 0, "a new function runs nothing: %zu", fx.n_ops);

	/* settings that make the server lex differently from libpg_query */
	sql("SET standard_conforming_strings = off");
	CHECK_STR(kind(0), "opaque");
	sql("SET client_encoding = 'SJIS'");
	CHECK_STR(kind(0), "opaque");
	sql("SET search_path = public, pg_catalog");
	CHECK_STR(kind(0), "opaque");
	sql("SELECT set_config('search_path', 'app, \"PG_CATALOG\"', false)");
	CHECK(fx.n_ops == 0, "a quoted upper-case name is another schema");
	sql("SELECT set_config('search_path', 'app , pg_catalog', false)");
	CHECK_STR(kind(0), "opaque");
	/* what pg_dump writes */
	sql("SELECT pg_catalog.set_config('search_path', '', false)");
	CHECK(fx.n_ops == 0, "pg_dump's search_path: %zu operations", fx.n_ops);
}

static void test_parse_errors(void)
{
	sql("DELETE FROM t WHERE");
	CHECK(fx.n_ops == 1, "one operation, got %zu", fx.n_ops);
	CHECK_STR(kind(0), "opaque");
	CHECK_STR(opf(0, "statement"), "DELETE");
	CHECK_STR(opf(0, "reason"), "syntax error at end of input (line 1, position 20)");
	CHECK_STR(opf(0, "position"), "20");

	/* positions count characters, as the server does; lines from the
	 * statement's first */
	facts_free(&fx);
	fx = (facts){0};
	const char *text = "SELECT 'é';\n\nDELLETE FROM t";
	sql_facts(text, strlen(text), 10, "f.sql", &fx);
	CHECK_STR(opf(0, "reason"), "syntax error at or near \"DELLETE\" (line 12, position 14)");
	CHECK_STR(opf(0, "line"), "10");

	sql("SELECT 'unterminated");
	CHECK(strstr(opf(0, "reason"), "unterminated quoted string") != NULL, "reason: %s",
	      opf(0, "reason"));
	sql("\\copy t from x");
	CHECK_STR(kind(0), "opaque");

	/* a NUL would end the text early for the parser */
	facts_free(&fx);
	fx = (facts){0};
	sql_facts("SELECT 1\0; DROP TABLE t", 24, 1, "-c", &fx);
	CHECK(fx.n_ops == 1 && strstr(opf(0, "reason"), "NUL byte") != NULL, "NUL: opaque");

	sql("SELECT '\xff'");
	CHECK(fx.n_ops == 1 && strstr(opf(0, "reason"), "not valid UTF-8") != NULL,
	      "invalid UTF-8: opaque");
	CHECK_STR(opf(0, "sql"), "SELECT '\\xff'");

	/* nesting past jansson's depth limit: NOT builds a node, unlike
	 * parentheses */
	strbuf deep = {0};
	sb_puts(&deep, "DELETE FROM t WHERE ");
	for (int i = 0; i < 3000; i++)
		sb_puts(&deep, "NOT ");
	sb_puts(&deep, "false");
	sql(deep.s);
	CHECK(fx.n_ops == 1 && strcmp(kind(0), "opaque") == 0, "deep nesting: opaque (%s)",
	      opf(0, "reason") ? opf(0, "reason") : "?");
	sb_free(&deep);
	for (int i = 0; i < 3000; i++)
		sb_putc(&deep, '(');
	sb_puts(&deep, "DELETE FROM t WHERE true");
	for (int i = 0; i < 3000; i++)
		sb_putc(&deep, ')');
	sql(deep.s);
	CHECK(fx.n_ops == 1 && strcmp(kind(0), "opaque") == 0, "a statement in parentheses");
	sb_free(&deep);
}

static void test_multiple_statements(void)
{
	sql("SELECT 1; DELETE FROM a;\n-- comment\nDROP TABLE b; INSERT INTO c VALUES (1);\n"
	    "  /* x */ TRUNCATE d");
	CHECK(fx.n_ops == 3, "three operations, got %zu", fx.n_ops);
	CHECK_STR(kind(0), "dml");
	CHECK_STR(opf(0, "sql"), "DELETE FROM a");
	CHECK_STR(opf(0, "line"), "1");
	CHECK_STR(kind(1), "drop");
	CHECK_STR(opf(1, "sql"), "DROP TABLE b");
	CHECK_STR(opf(1, "line"), "3");
	CHECK_STR(kind(2), "truncate");
	CHECK_STR(opf(2, "sql"), "TRUNCATE d");
	CHECK_STR(opf(2, "line"), "4");

	/* EXPLAIN ANALYZE executes, EXPLAIN does not */
	sql("EXPLAIN ANALYZE DELETE FROM t");
	CHECK_STR(kind(0), "dml");
	sql("EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET a = 1");
	CHECK_STR(opf(0, "statement"), "UPDATE");
	sql("EXPLAIN DELETE FROM t");
	CHECK(fx.n_ops == 0, "EXPLAIN: %zu operations", fx.n_ops);
	sql("EXPLAIN (ANALYZE off) DELETE FROM t");
	CHECK(fx.n_ops == 0, "EXPLAIN (ANALYZE off): %zu operations", fx.n_ops);

	static const char *const harmless[] = {
	    "SELECT a, b FROM t WHERE x = 1",
	    "INSERT INTO t (a) VALUES (1), (2) ON CONFLICT DO NOTHING",
	    "CREATE TABLE t (id bigint PRIMARY KEY, at timestamptz DEFAULT my_now())",
	    "CREATE VIEW v AS SELECT my_fn(a) FROM t",
	    "SHOW search_path",
	    "COMMIT",
	    "",
	    "  ;  ; -- nothing",
	    "CREATE TABLE t2 AS SELECT * FROM t",
	    "LISTEN x",
	};
	for (size_t i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++) {
		sql(harmless[i]);
		CHECK(fx.n_ops == 0, "%s: %zu operations", harmless[i], fx.n_ops);
	}
}

static void test_text_and_unicode(void)
{
	sql("DELETE FROM Tâble");
	CHECK_STR(opf(0, "table"), "tâble"); /* unquoted: ASCII folded only */
	sql("DELETE FROM \"Ünïcødé\".\"表\" WHERE true");
	CHECK_STR(opf(0, "table"), "Ünïcødé.表");
	CHECK_STR(opf(0, "where"), "constant-true");
	sql("DELETE FROM \"my.schema\".\"a,b\"");
	CHECK_STR(opf(0, "table"), "\"my.schema\".\"a,b\"");
	sql("DROP TABLE \"say \"\"hi\"\"\"");
	CHECK_STR(opf(0, "names"), "\"say \"\"hi\"\"\"");

	/* blanks run together; control characters escaped */
	sql("DELETE\n\tFROM   t\r\nWHERE a = E'\\x1b[2J' OR true;");
	CHECK_STR(opf(0, "sql"), "DELETE FROM t WHERE a = E'\\x1b[2J' OR true");
	sql("DELETE FROM t WHERE a = '\x1b[31m'");
	CHECK_STR(opf(0, "sql"), "DELETE FROM t WHERE a = '\\x1b[31m'");

	/* a long statement: 200 characters shown, multi-byte ones whole */
	strbuf b = {0};
	sb_puts(&b, "UPDATE t SET note = '");
	for (int i = 0; i < 5000; i++)
		sb_puts(&b, "é");
	sb_puts(&b, "' WHERE 1 = 1");
	sql(b.s);
	CHECK_STR(opf(0, "where"), "constant-true");
	const char *shown = opf(0, "sql");
	CHECK(shown && str_ends(shown, "é...") && strlen(shown) == 21 + 179 * 2 + 3,
	      "truncated to 200 characters: %zu bytes", shown ? strlen(shown) : 0);
	sb_free(&b);

	/* 10 KB and 100 KB statements parse whole */
	for (int size = 10000; size <= 100000; size *= 10) {
		sb_puts(&b, "DELETE FROM t WHERE id IN (");
		while (b.len < (size_t)size)
			sb_puts(&b, "1234567, ");
		sb_puts(&b, "-1) OR 'x' = 'x'");
		sql(b.s);
		CHECK(fx.n_ops == 1 && strcmp(opf(0, "where"), "constant-true") == 0,
		      "%d-byte statement", size);
		sb_free(&b);
	}

	/* past the size limit: opaque, not parsed */
	size_t big = 1024 * 1024 + 1;
	char *huge = xmalloc(big + 1);
	memset(huge, ' ', big);
	memcpy(huge, "SELECT 1", 8);
	huge[big] = '\0';
	sql(huge);
	CHECK(fx.n_ops == 1 && strstr(opf(0, "reason"), "more than interlock analyses"),
	      "huge statement: opaque");
	free(huge);
}

int main(void)
{
	test_common_fields();
	test_dml();
	test_upsert();
	test_tautologies();
	test_cte_and_merge();
	test_truncate_drop();
	test_alter_table();
	test_locks_and_safeguards();
	test_operators();
	test_index_vacuum();
	test_read_write();
	test_repeated_options();
	test_privilege_copy_system();
	test_owner_database_sequence();
	test_opaque();
	test_parse_errors();
	test_multiple_statements();
	test_text_and_unicode();
	facts_free(&fx);
	return unit_done();
}
