/* util.h - allocation that cannot return NULL, growable strings and string
 * vectors, and the cleanup-attribute helpers.
 *
 * Ownership convention: a function that returns char * hands the caller a
 * string to free; "steal" means a pointer moves into a container, which frees
 * it from then on. */
#ifndef INTERLOCK_UTIL_H
#define INTERLOCK_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "die.h"

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
PRINTF(1, 2) char *xasprintf(const char *fmt, ...);

/* Frees *(void **)p; for __attribute__((cleanup)). */
void freep(void *p);
#define autofree __attribute__((cleanup(freep)))

/* Takes ownership away from a cleanup variable: returns *pp, sets it NULL. */
#define steal_pointer(pp) steal_pointer_impl((void **)(pp))
static inline void *steal_pointer_impl(void **pp)
{
	void *p = *pp;
	*pp = NULL;
	return p;
}

/* A growable, always NUL-terminated byte string. */
typedef struct {
	char *s; /* owned */
	size_t len, cap;
} strbuf;

void sb_putn(strbuf *b, const char *s, size_t n);
void sb_puts(strbuf *b, const char *s);
void sb_putc(strbuf *b, char c);
PRINTF(2, 3) void sb_printf(strbuf *b, const char *fmt, ...);
/* Returns the buffer's string (never NULL) and leaves b empty. */
char *sb_steal(strbuf *b);
void sb_free(strbuf *b);

/* A growable NULL-terminated vector of owned strings. */
typedef struct {
	char **v; /* owned, and so is every v[i] */
	size_t n, cap;
} strvec;

void sv_push(strvec *sv, const char *s); /* copies s */
void sv_push_steal(strvec *sv, char *s); /* takes s */
bool sv_contains(const strvec *sv, const char *s);
void sv_clear(strvec *sv);
/* Splits a comma/whitespace separated list and pushes each item; an item
 * in double quotes may hold commas and spaces. */
void sv_push_list(strvec *sv, const char *list);

/* Writes all n bytes (retrying short writes and EINTR); 0, or -1 with
 * errno set. */
int write_all(int fd, const void *buf, size_t n);

/* Reads a whole file; NULL with errno set on failure. *len gets the size. */
char *read_file(const char *path, size_t *len);

bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);
/* Base name of a path without modifying it (after the last '/'). */
const char *base_name(const char *path);

#endif
