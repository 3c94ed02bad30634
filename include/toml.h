/* toml.h - strict TOML 1.0.0 parser (ours: no C TOML library is packaged in
 * Debian 12). Parses a whole document into a tree of toml_value.
 *
 * Ownership: toml_parse() returns a tree owned by the caller; free it with
 * toml_free(). Every string inside belongs to the tree. */
#ifndef INTERLOCK_TOML_H
#define INTERLOCK_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,       /* offset date-time: 1979-05-27T07:32:00Z */
	TOML_DATETIME_LOCAL, /* 1979-05-27T07:32:00 */
	TOML_DATE_LOCAL,     /* 1979-05-27 */
	TOML_TIME_LOCAL,     /* 07:32:00 */
} toml_type;

typedef struct toml_value toml_value;

typedef struct {
	char *s;    /* NUL-terminated; may also contain NUL bytes (\u0000) */
	size_t len; /* length without the terminating NUL */
} toml_str;

struct toml_value {
	toml_type type;
	int line, col; /* 1-based position where the value (or header) starts */
	union {
		toml_str str; /* TOML_STRING, and all four date/time kinds as
		                 their text (normalised: 'T' separator, 'Z'
		                 upper case) */
		int64_t i;
		double f;
		bool b;
		struct {
			size_t n;
			toml_str *keys;    /* document order */
			toml_value **vals; /* vals[k] belongs to keys[k] */
		} table;
		struct {
			size_t n;
			toml_value **items;
		} array;
	} u;
};

/* Parses len bytes of buf. 'name' is used in error messages only.
 * On error returns NULL and writes "name:line:col: what was expected" into
 * err (always NUL-terminated, truncated to errlen). */
toml_value *toml_parse(const char *buf, size_t len, const char *name, char *err, size_t errlen);

void toml_free(toml_value *v);

/* Looks up key (a plain C string) in a table; NULL when absent or when t is
 * not a table. */
const toml_value *toml_get(const toml_value *t, const char *key);

/* Name of a type for messages: "table", "array", "string", ... */
const char *toml_type_name(toml_type t);

#endif
