/* tfplan.c - the backend a saved terraform plan applies to, read from the
 * plan file itself.
 *
 * `terraform apply PLANFILE` does not use the working directory's backend:
 * it uses the backend type, configuration and workspace recorded in the
 * plan (terraform 1.11 internal/plans/planfile, planproto.Plan field 13
 * "backend" { string type = 1; DynamicValue config = 2; string workspace =
 * 3 }, DynamicValue { bytes msgpack = 1; }). `terraform show -json` does
 * not print them, so interlock reads them here:
 *
 *   zip      the end-of-central-directory record, the central directory,
 *            the one entry named "tfplan" (stored or deflated: zlib's raw
 *            inflate), its CRC-32 and size checked as Go's archive/zip does
 *   protobuf a walk over varint and length-delimited fields
 *   msgpack  the configuration object: every string value, with its key
 *
 * Plans are untrusted input (an agent can write one), so anything where Go
 * and this reader could disagree is refused rather than guessed: zip64
 * (and every archive where Go would look for zip64 records), bytes before
 * the archive, a second "tfplan" entry or backend field,
 * encryption, groups. The caller counts a plan it cannot read as unknown,
 * which is dangerous. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "die.h"
#include "tfplan.h"

#define MAX_TFPLAN       (256L << 20) /* the "tfplan" entry, uncompressed */
#define EOCD_LEN         22
#define CDH_LEN          46
#define LFH_LEN          30
#define MAX_MSGPACK_NEST 32

typedef struct {
	char *err;
	size_t errlen;
} rd;

PRINTF(2, 3) static bool fail(rd *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return false;
}

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static bool read_at(int fd, void *buf, size_t n, off_t at)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, at + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* ---- zip ----------------------------------------------------------------- */

typedef struct {
	uint32_t method, crc, csize, usize, local;
} zip_entry;

/* Go's findDirectoryEnd: the last signature in the file's tail; Go gives up
 * when that one's comment runs past the end (it does not look further). */
static bool find_eocd(int fd, off_t size, uint8_t eocd[EOCD_LEN], off_t *at, rd *r)
{
	size_t tail = size < 65535 + EOCD_LEN ? (size_t)size : 65535 + EOCD_LEN;
	uint8_t *b = malloc(tail);
	bool found = false;

	if (!b || tail < EOCD_LEN || !read_at(fd, b, tail, size - (off_t)tail)) {
		free(b);
		return fail(r, "not a zip archive (too short or unreadable)");
	}
	for (size_t i = tail - EOCD_LEN + 1; i-- > 0;) {
		if (memcmp(b + i, "PK\5\6", 4) != 0)
			continue;
		if (i + EOCD_LEN + le16(b + i + 20) <= tail) {
			memcpy(eocd, b + i, EOCD_LEN);
			*at = size - (off_t)tail + (off_t)i;
			found = true;
		}
		break;
	}
	free(b);
	return found || fail(r, "not a zip archive (no end of central directory)");
}

/* Go's readDirectoryEnd looks for a zip64 end record, and then trusts it
 * rather than the record here, when the entry count is 0xffff, the
 * directory's size 0xffff (sic: not 0xffffffff) or its offset 0xffffffff;
 * findDirectory64End looks for the locator right before the end record.
 * Whenever Go might read another directory than this reader, refuse. */
static bool go_may_use_zip64(int fd, const uint8_t eocd[EOCD_LEN], off_t eocd_at)
{
	uint8_t loc[4];

	if (le16(eocd + 10) == 0xffff || le32(eocd + 12) == 0xffff ||
	    le32(eocd + 12) == 0xffffffff || le32(eocd + 16) == 0xffffffff)
		return true;
	return eocd_at >= 20 && read_at(fd, loc, 4, eocd_at - 20) && !memcmp(loc, "PK\6\7", 4);
}

/* The central directory's one "tfplan" entry. */
static bool find_tfplan(int fd, off_t size, zip_entry *e, rd *r)
{
	uint8_t eocd[EOCD_LEN] = {0};
	off_t eocd_at = 0;

	if (!find_eocd(fd, size, eocd, &eocd_at, r))
		return false;
	uint32_t disk = le16(eocd + 4), cd_disk = le16(eocd + 6), n_disk = le16(eocd + 8);
	uint32_t n = le16(eocd + 10), cd_size = le32(eocd + 12), cd_off = le32(eocd + 16);
	if (go_may_use_zip64(fd, eocd, eocd_at))
		return fail(r, "a zip archive Go may read as zip64 (terraform writes none)");
	if (disk || cd_disk || n_disk != n)
		return fail(r, "a multi-disk zip archive");
	if ((off_t)cd_off + (off_t)cd_size != eocd_at)
		return fail(r, "bytes between the central directory and its end record");
	uint8_t *cd = malloc(cd_size ? cd_size : 1);
	if (!cd || !read_at(fd, cd, cd_size, cd_off)) {
		free(cd);
		return fail(r, "the zip central directory cannot be read");
	}
	bool found = false, ok = true;
	size_t p = 0;
	for (uint32_t i = 0; i < n && ok; i++) {
		if (p + CDH_LEN > cd_size || memcmp(cd + p, "PK\1\2", 4) != 0) {
			ok = fail(r, "zip central directory entry %u is damaged", i);
			break;
		}
		const uint8_t *h = cd + p;
		size_t name_len = le16(h + 28),
		       skip = CDH_LEN + name_len + le16(h + 30) + le16(h + 32);
		if (p + skip > cd_size) {
			ok = fail(r, "zip central directory entry %u is damaged", i);
			break;
		}
		if (name_len == 6 && memcmp(h + CDH_LEN, "tfplan", 6) == 0) {
			if (found)
				ok = fail(r, "two entries named tfplan");
			found = true;
			*e = (zip_entry){.method = le16(h + 10),
			                 .crc = le32(h + 16),
			                 .csize = le32(h + 20),
			                 .usize = le32(h + 24),
			                 .local = le32(h + 42)};
			if (le16(h + 8) & 1)
				ok = fail(r, "the tfplan entry is encrypted");
		}
		p += skip;
	}
	free(cd);
	if (ok && p != cd_size)
		ok = fail(r, "the zip central directory has %u entries and more bytes", n);
	if (ok && !found)
		ok = fail(r, "no tfplan entry: not a terraform plan");
	/* Go takes any of these from a zip64 extra field instead */
	if (ok && (e->csize == 0xffffffff || e->usize == 0xffffffff || e->local == 0xffffffff))
		ok = fail(r, "a zip64 tfplan entry");
	return ok;
}

static bool inflate_raw(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len, rd *r)
{
	z_stream z = {0};

	if (inflateInit2(&z, -15) != Z_OK)
		return fail(r, "zlib cannot be initialised");
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)in_len;
	z.next_out = out;
	z.avail_out = (uInt)out_len;
	int st = inflate(&z, Z_FINISH);
	bool ok = st == Z_STREAM_END && z.total_out == out_len;
	inflateEnd(&z);
	return ok || fail(r, "the tfplan entry does not inflate to its recorded size");
}

/* The "tfplan" entry's bytes (malloc'd, *len set). */
static uint8_t *read_tfplan(int fd, size_t *len, rd *r)
{
	struct stat st;
	zip_entry e = {0};
	uint8_t lh[LFH_LEN];

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return fail(r, "not a regular file"), NULL;
	if (!find_tfplan(fd, st.st_size, &e, r))
		return NULL;
	if (e.usize > MAX_TFPLAN)
		return fail(r, "the tfplan entry is larger than %ld MiB", MAX_TFPLAN >> 20), NULL;
	if (e.method != 0 && e.method != 8)
		return fail(r, "the tfplan entry uses zip method %u", e.method), NULL;
	if (!read_at(fd, lh, LFH_LEN, e.local) || memcmp(lh, "PK\3\4", 4) != 0 ||
	    le16(lh + 26) != 6)
		return fail(r, "the tfplan entry's local header is damaged"), NULL;
	off_t data = (off_t)e.local + LFH_LEN + le16(lh + 26) + le16(lh + 28);
	if (data + (off_t)e.csize > st.st_size)
		return fail(r, "the tfplan entry goes past the end of the file"), NULL;
	uint8_t *raw = malloc(e.csize ? e.csize : 1);
	uint8_t *out = malloc(e.usize ? e.usize : 1);
	bool ok = raw && out;
	if (ok && !read_at(fd, raw, e.csize, data))
		ok = fail(r, "the tfplan entry cannot be read");
	if (ok && e.method == 0) {
		if (e.csize != e.usize)
			ok = fail(r, "a stored tfplan entry with two sizes");
		else
			memcpy(out, raw, e.usize);
	} else if (ok) {
		ok = inflate_raw(raw, e.csize, out, e.usize, r);
	}
	/* archive/zip checks the CRC only when the directory records one */
	if (ok && e.crc && crc32(crc32(0, NULL, 0), out, e.usize) != e.crc)
		ok = fail(r, "the tfplan entry fails its CRC-32 check");
	free(raw);
	if (!ok) {
		free(out);
		return NULL;
	}
	*len = e.usize;
	return out;
}

/* ---- protobuf ------------------------------------------------------------- */

typedef struct {
	const uint8_t *p, *end;
} cursor;

static bool varint(cursor *c, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 70 && c->p < c->end; shift += 7) {
		uint8_t b = *c->p++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return shift < 63 || b <= 1;
	}
	return false;
}

/* The next field: its number, and for a length-delimited one its bytes
 * (other wire types are skipped and give an empty slice). */
static bool next_field(cursor *c, uint64_t *num, int *wire, cursor *val, rd *r)
{
	uint64_t key, n;

	if (!varint(c, &key))
		return fail(r, "the plan's protobuf is damaged (a field key)");
	*num = key >> 3;
	*wire = (int)(key & 7);
	*val = (cursor){c->p, c->p};
	switch (*wire) {
	case 0:
		return varint(c, &n) || fail(r, "the plan's protobuf is damaged (a varint)");
	case 1:
	case 5: {
		size_t w = *wire == 1 ? 8 : 4;
		if ((size_t)(c->end - c->p) < w)
			return fail(r, "the plan's protobuf is damaged (a fixed field)");
		c->p += w;
		return true;
	}
	case 2:
		if (!varint(c, &n) || n > (uint64_t)(c->end - c->p))
			return fail(r, "the plan's protobuf is damaged (a length)");
		*val = (cursor){c->p, c->p + n};
		c->p += n;
		return true;
	default:
		return fail(r, "the plan's protobuf has wire type %d", *wire);
	}
}

/* The only length-delimited field number want of the message in c. */
static bool only_field(cursor c, uint64_t want, cursor *out, bool *found, rd *r)
{
	uint64_t num = 0;
	int wire = 0;
	cursor val;

	*found = false;
	while (c.p < c.end) {
		if (!next_field(&c, &num, &wire, &val, r))
			return false;
		if (num != want)
			continue;
		if (wire != 2)
			return fail(r, "plan field %llu is not length-delimited",
			            (unsigned long long)want);
		if (*found)
			return fail(r, "plan field %llu appears twice", (unsigned long long)want);
		*found = true;
		*out = val;
	}
	return true;
}

static char *slice_str(cursor c)
{
	return xstrndup((const char *)c.p, (size_t)(c.end - c.p));
}

/* ---- msgpack ---------------------------------------------------------------- */

static bool take(cursor *c, size_t n, const uint8_t **at)
{
	if ((size_t)(c->end - c->p) < n)
		return false;
	*at = c->p;
	c->p += n;
	return true;
}

static bool be_len(cursor *c, int bytes, size_t *n)
{
	const uint8_t *b;

	if (!take(c, (size_t)bytes, &b))
		return false;
	*n = 0;
	for (int i = 0; i < bytes; i++)
		*n = *n << 8 | b[i];
	return true;
}

typedef enum { MP_OTHER, MP_STR, MP_ARRAY, MP_MAP } mp_kind;

/* The next value's header: its kind and, for str/bin (MP_STR) its bytes,
 * for arrays and maps their length. Scalars and extensions are skipped. */
static bool mp_head(cursor *c, mp_kind *k, size_t *n, const uint8_t **s)
{
	const uint8_t *b;

	if (!take(c, 1, &b))
		return false;
	uint8_t t = *b;
	*k = MP_OTHER;
	if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3)
		return true;
	if ((t & 0xe0) == 0xa0) {
		*k = MP_STR;
		*n = t & 0x1f;
		return take(c, *n, s);
	}
	if ((t & 0xf0) == 0x80 || (t & 0xf0) == 0x90) {
		*k = (t & 0xf0) == 0x80 ? MP_MAP : MP_ARRAY;
		*n = t & 0x0f;
		return true;
	}
	switch (t) {
	case 0xc4:
	case 0xc5:
	case 0xc6: /* bin */
	case 0xd9:
	case 0xda:
	case 0xdb: /* str */
		*k = MP_STR;
		return be_len(c, t >= 0xd9 ? 1 << (t - 0xd9) : 1 << (t - 0xc4), n) &&
		       take(c, *n, s);
	case 0xc7:
	case 0xc8:
	case 0xc9: /* ext: length, type, data */
		return be_len(c, 1 << (t - 0xc7), n) && take(c, *n + 1, &b);
	case 0xca:
		return take(c, 4, &b);
	case 0xcb:
		return take(c, 8, &b);
	case 0xcc:
	case 0xcd:
	case 0xce:
	case 0xcf:
		return take(c, (size_t)1 << (t - 0xcc), &b);
	case 0xd0:
	case 0xd1:
	case 0xd2:
	case 0xd3:
		return take(c, (size_t)1 << (t - 0xd0), &b);
	case 0xd4:
	case 0xd5:
	case 0xd6:
	case 0xd7:
	case 0xd8: /* fixext */
		return take(c, ((size_t)1 << (t - 0xd4)) + 1, &b);
	case 0xdc:
	case 0xdd:
	case 0xde:
	case 0xdf:
		*k = t <= 0xdd ? MP_ARRAY : MP_MAP;
		return be_len(c, (t & 1) ? 4 : 2, n);
	default:
		return false; /* 0xc1: never used */
	}
}

/* Every string in the value at c, with its key path. */
static bool mp_walk(cursor *c, strbuf *key, int depth, tfplan_backend *b)
{
	mp_kind k;
	size_t n = 0;
	const uint8_t *s = NULL;

	if (depth > MAX_MSGPACK_NEST || !mp_head(c, &k, &n, &s))
		return false;
	if (k == MP_STR) {
		sv_push(&b->keys, key->s ? key->s : "");
		sv_push_steal(&b->values, xstrndup((const char *)s, n));
		return true;
	}
	if (k == MP_OTHER)
		return true;
	if (n > (size_t)(c->end - c->p)) /* every element takes a byte at least */
		return false;
	size_t at = key->len;
	for (size_t i = 0; i < n; i++) {
		if (at)
			sb_putc(key, '.');
		if (k == MP_MAP) {
			mp_kind kk;
			size_t kn = 0;
			const uint8_t *ks = NULL;
			if (!mp_head(c, &kk, &kn, &ks) || kk != MP_STR)
				return false; /* cty object keys are strings */
			sb_putn(key, (const char *)ks, kn);
		} else {
			sb_printf(key, "%zu", i);
		}
		bool ok = mp_walk(c, key, depth + 1, b);
		key->len = at;
		if (key->s)
			key->s[at] = '\0';
		if (!ok)
			return false;
	}
	return true;
}

/* ---- the backend ---------------------------------------------------------- */

static bool parse_backend(cursor c, tfplan_backend *b, rd *r)
{
	cursor type, config, workspace, mp;
	bool has_type, has_config, has_ws, has_mp;

	if (!only_field(c, 1, &type, &has_type, r) || !only_field(c, 2, &config, &has_config, r) ||
	    !only_field(c, 3, &workspace, &has_ws, r))
		return false;
	if (!has_type || type.p == type.end)
		return fail(r, "the plan's backend has no type");
	b->type = slice_str(type);
	b->workspace = has_ws ? slice_str(workspace) : xstrdup("");
	if (!has_config || !only_field(config, 1, &mp, &has_mp, r) || !has_mp)
		return fail(r, "the plan's backend configuration is not msgpack");
	strbuf key = {0};
	bool ok = mp_walk(&mp, &key, 0, b) && mp.p == mp.end;
	sb_free(&key);
	return ok || fail(r, "the plan's backend configuration is damaged msgpack");
}

bool tfplan_read_backend(int fd, tfplan_backend *b, char *err, size_t errlen)
{
	rd r = {err, errlen};
	size_t len = 0;
	cursor backend;
	bool found;

	*b = (tfplan_backend){0};
	err[0] = '\0';
	uint8_t *msg = read_tfplan(fd, &len, &r);
	if (!msg)
		return false;
	bool ok = only_field((cursor){msg, msg + len}, 13, &backend, &found, &r);
	if (ok && !found)
		ok = fail(&r, "the plan records no backend");
	if (ok)
		ok = parse_backend(backend, b, &r);
	free(msg);
	if (!ok)
		tfplan_backend_free(b);
	return ok;
}

void tfplan_backend_free(tfplan_backend *b)
{
	free(b->type);
	free(b->workspace);
	sv_clear(&b->keys);
	sv_clear(&b->values);
	*b = (tfplan_backend){0};
}
