/* longopt.h - a command line read as glibc's getopt_long reads it, for the
 * analysers of programs that use it (psql, pg_restore): combined short
 * options, "-xVALUE", long options with "=VALUE" or the next word, unique
 * prefixes of long options, operands anywhere unless POSIXLY_CORRECT (then
 * the first operand ends the options), and "--". */
#ifndef INTERLOCK_LONGOPT_H
#define INTERLOCK_LONGOPT_H

#include <stdbool.h>
#include <stddef.h>

enum { LONGOPT_NONE, LONGOPT_REQUIRED, LONGOPT_OPTIONAL /* long form only */ };

/* The first member of each entry of a program's option table. */
typedef struct {
	const char *name; /* long name */
	int code;         /* the short option's letter; above 255 (or 0): long only.
	                     Two names with one code are one option, so a prefix
	                     of both is not ambiguous (--variable, --set) */
	int arg;          /* LONGOPT_* */
} longopt;

typedef struct {
	/* An option and its value (NULL when it has none). spec points into
	 * the caller's table, at the entry's first member. */
	void (*option)(void *ctx, const longopt *spec, const char *value);
	/* argv[i] is an operand. */
	void (*operand)(void *ctx, int i);
	/* A word the program would refuse: an unknown or ambiguous option, a
	 * value where none is taken, a value missing at the end. */
	void (*refused)(void *ctx, const char *word);
} longopt_calls;

/* Reads argv[1..argc-1]. The table has n entries of stride bytes, each
 * starting with a longopt. */
void longopt_parse(int argc, char *const *argv, const void *table, size_t n, size_t stride,
                   bool permute, const longopt_calls *calls, void *ctx);

#endif
