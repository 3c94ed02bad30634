#!/usr/bin/env bash
# bench.sh DUMP [MB]: throughput and peak memory of the psql lexer.
#
# Generates (once) a pg_dump --inserts style file and a COPY-format dump of
# about MB megabytes (default 200) in ${TMPDIR:-/tmp}, then times
# `DUMP -q FILE` (DUMP: a non-sanitised build/lexer-dump) against `cat FILE`
# and prints MB/s and peak RSS. Nothing is written into the tree.
set -eu
dump=${1:?usage: bench.sh DUMP [MB]}
mb=${2:-200}
tmp=${TMPDIR:-/tmp}
inserts=$tmp/interlock-bench-inserts-$mb.sql
copy=$tmp/interlock-bench-copy-$mb.sql

gen() { # gen KIND FILE
	python3 - "$1" "$2" "$mb" <<'PY'
import sys
kind, path, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
head = """--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TABLE public.orders (
    id integer NOT NULL,
    customer text,
    note character varying(200),
    amount numeric(10,2),
    created timestamp with time zone,
    gone boolean
);

ALTER TABLE public.orders OWNER TO app;

"""
names = ["Alice O''Neil", "Bob; DROP TABLE x", "Carol \\\\ Danvers", "dave", "Eve (admin)"]
with open(path, "w") as f:
    f.write(head)
    if kind == "copy":
        f.write("COPY public.orders (id, customer, note, amount, created, gone) FROM stdin;\n")
    size, i, rows = 0, 0, []
    while size < mb * 1000000:
        n = names[i % 5]
        if kind == "copy":
            row = "%d\t%s\tnote %d, with text; it's fine\t%d.%02d\t2021-03-%02d 05:06:07+00\t%s\n" % (
                i, n.replace("''", "'"), i * 7, i % 1000, i % 100, i % 28 + 1, "\\N" if i % 3 else "t")
        else:
            row = "INSERT INTO public.orders VALUES (%d, '%s', 'note %d, with text; it''s fine', %d.%02d, '2021-03-%02d 05:06:07+00', %s);\n" % (
                i, n, i * 7, i % 1000, i % 100, i % 28 + 1, "NULL" if i % 3 else "true")
        rows.append(row)
        size += len(row)
        i += 1
        if len(rows) == 10000:
            f.write("".join(rows))
            rows = []
    f.write("".join(rows))
    if kind == "copy":
        f.write("\\.\n\n")
    f.write("ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);\n")
PY
}

[ -s "$inserts" ] || gen inserts "$inserts"
[ -s "$copy" ] || gen copy "$copy"

measure() { # measure LABEL FILE CMD...: prints seconds, MB/s, peak RSS
	local label=$1 file=$2 t0 t1 rss size
	shift 2
	size=$(stat -c %s "$file")
	cat "$file" >/dev/null # warm the page cache
	t0=$(date +%s.%N)
	"$@" "$file" >/dev/null
	t1=$(date +%s.%N)
	rss=$({ /usr/bin/time -f '%M' "$@" "$file" >/dev/null; } 2>&1 | tail -n 1)
	awk -v l="$label" -v a="$t0" -v b="$t1" -v r="$rss" -v n="$size" 'BEGIN {
		s = b - a; printf "%-30s %7.3f s %8.1f MB/s %7d KB peak RSS\n", l, s, n / 1e6 / s, r }'
}

# cat into a pipe: what feeding a dump to psql costs at the least (cat to
# /dev/null may not read the data at all).
catpipe() { cat "$1" | wc -c; }

measure "cat | wc -c (inserts)" "$inserts" catpipe
measure "lexer (inserts)" "$inserts" "$dump" -q
measure "cat | wc -c (COPY)" "$copy" catpipe
measure "lexer (COPY)" "$copy" "$dump" -q
"$dump" -q "$inserts"
"$dump" -q "$copy"
