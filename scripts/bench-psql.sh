#!/usr/bin/env bash
# bench-psql.sh - throughput and memory of the psql analysis on a big dump
# (run by hand, or by `make bench-psql`).
#
# Generates two pg_dump-style files of SIZE_MB MiB each in a temporary
# directory (removed at the end): one with the data as COPY ... FROM stdin
# (pg_dump's default) and one as INSERT statements (pg_dump --inserts).
# Both have pg_dump's header (SET lines, set_config), CREATE TABLE, the data,
# and the trailer (setval, constraints, an index). The text column holds
# what makes lexing hard: quotes, ';' and SQL keywords inside strings,
# backslashes, tabs and newlines, non-ASCII text, NULLs.
#
# Then, for each file, times
#     interlock check -- psql -h prod-db mydb < FILE
# (it says "confirm": the trailer's setval() is a function interlock cannot
# see into, ADD PRIMARY KEY and CREATE INDEX lock the table; that the
# trailer's setval is reported shows the whole file was analysed) against
#     cat FILE | wc -c
# which really reads every byte (`cat FILE > /dev/null` may not: a cat can
# hand the copy to the kernel), and against
#     dd if=FILE of=/dev/null bs=256k
# (read(2) and nothing else, in interlock's chunk size: the floor), and
# measures interlock's peak RSS. The file is synced before timing, so that
# write-back does not run during the measurements; it is in the page cache.
#
# Targets: COPY format at most 3x cat's time (the ratio to dd is shown too);
# INSERT format at least 150 MiB/s; peak RSS at most 16 MiB for both. Exits 0 once the benchmark
# ran, whether or not the targets are met (they are reported); 2 when
# something it needs is missing.
#   SIZE_MB=1024 RUNS=3 scripts/bench-psql.sh
set -euo pipefail

SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
TARGET_RATIO=3
TARGET_INSERTS_MBS=150
TARGET_RSS_KIB=$((16 * 1024))
[[ $SIZE_MB =~ ^[1-9][0-9]*$ ]] || { echo "bench-psql: SIZE_MB must be a positive integer" >&2; exit 64; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bench-psql: RUNS must be a positive integer" >&2; exit 64; }

cd "$(dirname "$0")/.."
BIN=$PWD/build/interlock
if [[ ! -x $BIN ]]; then
	echo "bench-psql: $BIN not found; run 'make' first" >&2
	exit 2
fi
PYTHON=$(command -v python3 || true)
[[ -n $PYTHON ]] || { echo "bench-psql: python3 is needed to generate the dumps" >&2; exit 2; }
HYPERFINE=$(command -v hyperfine || true)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/interlock-bench-psql.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Only the shipped rules, syslog off, nothing from the user's configuration.
printf '[interlock]\nsyslog = no\n' >"$TMP/interlock.ini"
mkdir -p "$TMP/state" "$TMP/config" "$TMP/home"
export INTERLOCK_CONFIG=$TMP/interlock.ini XDG_STATE_HOME=$TMP/state XDG_CONFIG_HOME=$TMP/config
unset INTERLOCK_DEPTH INTERLOCK_AGENT CLAUDECODE GEMINI_CLI CODEX_SANDBOX CURSOR_AGENT PSQLRC

# ---- the dumps ---------------------------------------------------------------

# gen FORMAT FILE: FORMAT is copy or inserts.
gen() {
	"$PYTHON" - "$1" "$2" "$SIZE_MB" <<'PY'
import sys

fmt, path, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
target = size_mb * 1024 * 1024

HEADER = """--
-- PostgreSQL database dump
--

-- Dumped from database version 15.8 (Debian 15.8-0+deb12u1)
-- Dumped by pg_dump version 15.8 (Debian 15.8-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: customers; Type: TABLE; Schema: public; Owner: app
--

CREATE TABLE public.customers (
    id integer NOT NULL,
    name text NOT NULL,
    email text
);


ALTER TABLE public.customers OWNER TO app;

--
-- Name: orders; Type: TABLE; Schema: public; Owner: app
--

CREATE TABLE public.orders (
    id bigint NOT NULL,
    customer_id integer NOT NULL,
    status text NOT NULL,
    amount numeric(12,2),
    note text,
    created_at timestamp with time zone NOT NULL
);


ALTER TABLE public.orders OWNER TO app;

--
-- Name: orders_id_seq; Type: SEQUENCE; Schema: public; Owner: app
--

CREATE SEQUENCE public.orders_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.orders_id_seq OWNER TO app;

ALTER SEQUENCE public.orders_id_seq OWNED BY public.orders.id;

ALTER TABLE ONLY public.orders ALTER COLUMN id SET DEFAULT nextval('public.orders_id_seq'::regclass);

"""

TRAILER = """

--
-- Name: orders_id_seq; Type: SEQUENCE SET; Schema: public; Owner: app
--

SELECT pg_catalog.setval('public.orders_id_seq', {last}, true);


--
-- Name: customers customers_pkey; Type: CONSTRAINT; Schema: public; Owner: app
--

ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: app
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);


--
-- Name: orders_created_at_idx; Type: INDEX; Schema: public; Owner: app
--

CREATE INDEX orders_created_at_idx ON public.orders USING btree (created_at);


--
-- PostgreSQL database dump complete
--

"""

# (text, or None for NULL): quotes, ';' and keywords inside strings,
# backslashes, tabs, newlines, non-ASCII.
NOTES = [
    "leave at the door",
    None,
    "customer said: \"call before\"; gate code 4411",
    "O'Brien, 2nd floor",
    "update the delivery address; then delete the old one",
    "line one\nline two",
    "C:\\exports\\orders.csv",
    "Grüße aus Köln ✓ — déjà vu",
    "tab\tseparated",
    "DROP TABLE orders; -- not really",
    "",
    "gift wrap, no invoice in the parcel please",
]
STATUS = ["pending", "paid", "shipped", "delivered", "cancelled", "refunded"]


def copy_text(s):
    if s is None:
        return "\\N"
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def sql_text(s):
    return "NULL" if s is None else "'" + s.replace("'", "''") + "'"


NOTE_COPY = [copy_text(n) for n in NOTES]
NOTE_SQL = [sql_text(n) for n in NOTES]


def ts(i):
    return "2024-%02d-%02d %02d:%02d:%02d+00" % (
        1 + i % 12, 1 + i % 28, i % 24, i % 60, (i * 7) % 60)


class Out:
    def __init__(self, path):
        self.f = open(path, "wb")

    def write(self, s):
        data = s.encode("utf-8")
        self.f.write(data)
        return len(data)


f = Out(path)
f.write(HEADER)
written = len(HEADER.encode())
# a small table first
if fmt == "copy":
    f.write("--\n-- Data for Name: customers; Type: TABLE DATA; Schema: public; Owner: app\n--\n\n")
    f.write("COPY public.customers (id, name, email) FROM stdin;\n")
    f.write("".join("%d\tCustomer %d\tc%d@example.com\n" % (i, i, i) for i in range(1, 1001)))
    f.write("\\.\n\n\n")
    f.write("--\n-- Data for Name: orders; Type: TABLE DATA; Schema: public; Owner: app\n--\n\n")
    f.write("COPY public.orders (id, customer_id, status, amount, note, created_at) FROM stdin;\n")
else:
    f.write("--\n-- Data for Name: customers; Type: TABLE DATA; Schema: public; Owner: app\n--\n\n")
    f.write("".join("INSERT INTO public.customers VALUES (%d, 'Customer %d', 'c%d@example.com');\n"
                    % (i, i, i) for i in range(1, 1001)))
    f.write("\n\n--\n-- Data for Name: orders; Type: TABLE DATA; Schema: public; Owner: app\n--\n\n")
i = 0
block = 20000
while written < target:
    rows = range(i + 1, i + block + 1)
    if fmt == "copy":
        chunk = "".join("%d\t%d\t%s\t%d.%02d\t%s\t%s\n" % (
            r, 1 + r % 1000, STATUS[r % 6], r % 997, r % 100,
            NOTE_COPY[r % len(NOTES)], ts(r)) for r in rows)
    else:
        chunk = "".join("INSERT INTO public.orders VALUES (%d, %d, '%s', %d.%02d, %s, '%s');\n" % (
            r, 1 + r % 1000, STATUS[r % 6], r % 997, r % 100,
            NOTE_SQL[r % len(NOTES)], ts(r)) for r in rows)
    written += f.write(chunk)
    i += block
if fmt == "copy":
    f.write("\\.\n")
f.write(TRAILER.format(last=i))
f.f.close()
print(i)
PY
}

# ---- measuring -----------------------------------------------------------------

# mean_seconds CMD: the mean wall time of CMD (a shell command) over RUNS
# runs after one warm-up, with hyperfine when installed.
mean_seconds() {
	if [[ -n $HYPERFINE ]]; then
		"$HYPERFINE" -i --style none --warmup 1 --runs "$RUNS" \
			--export-json "$TMP/hf.json" "$1" >/dev/null 2>"$TMP/hf.err" ||
			{ cat "$TMP/hf.err" >&2; return 1; }
		"$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' \
			"$TMP/hf.json"
	else
		bash -c "$1" >/dev/null 2>&1 || true
		local start end
		start=$(date +%s%N)
		for ((r = 0; r < RUNS; r++)); do bash -c "$1" >/dev/null 2>&1 || true; done
		end=$(date +%s%N)
		awk -v s="$start" -v e="$end" -v n="$RUNS" 'BEGIN { printf "%.6f\n", (e - s) / n / 1e9 }'
	fi
}

# peak_rss_kib FILE: interlock's peak RSS (KiB) analysing FILE.
peak_rss_kib() {
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -f '%M' -o "$TMP/rss" "$BIN" check -- psql -h prod-db mydb <"$1" \
			>/dev/null 2>&1 || true
		tail -n 1 "$TMP/rss"
	else
		"$PYTHON" -c '
import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdin=open(sys.argv[1], "rb"),
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$1" \
			"$BIN" check -- psql -h prod-db mydb
	fi
}

mibs() { # BYTES SECONDS -> MiB/s
	awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1048576 / s }'
}

declare -A SIZE CAT DD IL RSS VERDICT TRAILER
for fmt in copy inserts; do
	file=$TMP/dump-$fmt.sql
	printf 'generating %s format, %s MiB ... ' "$fmt" "$SIZE_MB"
	rows=$(gen "$fmt" "$file")
	SIZE[$fmt]=$(stat -c %s "$file")
	echo "$rows rows, ${SIZE[$fmt]} bytes"
	sync "$file"
	out=$("$BIN" check -- psql -h prod-db mydb <"$file" 2>&1 || true)
	VERDICT[$fmt]=$(head -n 1 <<<"$out")
	TRAILER[$fmt]=$(grep -q 'pg_catalog.setval' <<<"$out" && echo seen || echo "NOT SEEN")
	printf '  timing cat ... '
	CAT[$fmt]=$(mean_seconds "cat '$file' | wc -c")
	printf '%.3f s; dd ... ' "${CAT[$fmt]}"
	DD[$fmt]=$(mean_seconds "dd if='$file' of=/dev/null bs=256k status=none")
	printf '%.3f s; interlock ... ' "${DD[$fmt]}"
	IL[$fmt]=$(mean_seconds "'$BIN' check -- psql -h prod-db mydb < '$file'")
	printf '%.3f s; peak RSS ... ' "${IL[$fmt]}"
	RSS[$fmt]=$(peak_rss_kib "$file")
	echo "${RSS[$fmt]} KiB"
	rm -f "$file"
done

echo
echo "interlock check -- psql -h prod-db mydb < FILE   ($(basename "$BIN"), $SIZE_MB MiB per file," \
	"mean of $RUNS runs${HYPERFINE:+, hyperfine})"
printf '%-8s %20s %20s %20s %9s %9s %13s\n' format "cat|wc -c" "dd (read only)" "interlock" \
	"/ cat" "/ dd" "peak RSS"
for fmt in copy inserts; do
	printf '%-8s %6.3f s %5s MiB/s %6.3f s %5s MiB/s %6.3f s %5s MiB/s %8sx %8sx %9s KiB\n' \
		"$fmt" "${CAT[$fmt]}" "$(mibs "${SIZE[$fmt]}" "${CAT[$fmt]}")" \
		"${DD[$fmt]}" "$(mibs "${SIZE[$fmt]}" "${DD[$fmt]}")" \
		"${IL[$fmt]}" "$(mibs "${SIZE[$fmt]}" "${IL[$fmt]}")" \
		"$(awk -v a="${IL[$fmt]}" -v b="${CAT[$fmt]}" 'BEGIN { printf "%.2f", a / b }')" \
		"$(awk -v a="${IL[$fmt]}" -v b="${DD[$fmt]}" 'BEGIN { printf "%.2f", a / b }')" \
		"${RSS[$fmt]}"
done
for fmt in copy inserts; do
	echo "$fmt: ${VERDICT[$fmt]}; the trailer's setval: ${TRAILER[$fmt]}"
done
echo

met() { if "$@"; then echo met; else echo "NOT met"; fi; }
ratio_copy=$(awk -v a="${IL[copy]}" -v b="${CAT[copy]}" 'BEGIN { printf "%.2f", a / b }')
ins_mbs=$(mibs "${SIZE[inserts]}" "${IL[inserts]}")
echo "target COPY format <= ${TARGET_RATIO}x cat:       ${ratio_copy}x  $(met awk -v r="$ratio_copy" -v t="$TARGET_RATIO" 'BEGIN { exit !(r <= t) }')"
echo "target INSERT format >= $TARGET_INSERTS_MBS MiB/s:   $ins_mbs MiB/s  $(met test "$ins_mbs" -ge "$TARGET_INSERTS_MBS")"
for fmt in copy inserts; do
	echo "target peak RSS ($fmt) <= 16 MiB: ${RSS[$fmt]} KiB  $(met test "${RSS[$fmt]}" -le "$TARGET_RSS_KIB")"
done
