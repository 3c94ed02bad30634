/* tfplan.h - what a saved terraform plan targets: the backend, its
 * configuration and the workspace recorded in the plan file itself (a zip
 * whose "tfplan" entry is a protobuf message), read without terraform. */
#ifndef INTERLOCK_TFPLAN_H
#define INTERLOCK_TFPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

typedef struct {
	char *type;      /* owned: "local", "s3", ... */
	char *workspace; /* owned */
	strvec keys;     /* the configuration's string values: "path", "a.b", "list.0" */
	strvec values;   /* ... and the values, in the same order */
} tfplan_backend;

/* Reads the backend of the plan file open on fd (with pread: the offset is
 * not moved). false, with the reason in err, when the file is not a plan
 * interlock can read exactly as terraform would: anything unusual (zip64,
 * data before the archive, duplicate entries or fields, a bad checksum) is
 * a failure, never a guess. */
bool tfplan_read_backend(int fd, tfplan_backend *b, char *err, size_t errlen);

void tfplan_backend_free(tfplan_backend *b);

#endif
