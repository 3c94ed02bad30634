/* unit.h - the smallest test harness: CHECK records a result, and
 * unit_done() prints TAP-like lines' summary "N passed, N failed". */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_pass, unit_fail;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			unit_pass++;                                                               \
		} else {                                                                           \
			unit_fail++;                                                               \
			printf("not ok %s:%d: ", __FILE__, __LINE__);                              \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

#define CHECK_STR(got, want)                                                                       \
	CHECK((got) && strcmp((got), (want)) == 0, "%s: got '%s', want '%s'", #got,                \
	      (got) ? (got) : "(null)", (want))

static inline int unit_done(void)
{
	printf("%d passed, %d failed\n", unit_pass, unit_fail);
	return unit_fail ? 1 : 0;
}

#endif
