/* audit.h - one JSON Lines record per decision of run/shim, appended with a
 * single write(2) to an O_APPEND file, and one line to syslog. A log that
 * cannot be written is reported; it never changes the decision. */
#ifndef INTERLOCK_AUDIT_H
#define INTERLOCK_AUDIT_H

#include <jansson.h>

#include "decide.h"
#include "facts.h"
#include "gate.h"

/* A JSON string for arbitrary bytes: invalid UTF-8 bytes become "\xNN"
 * text, so the record stays valid JSON and still says what was there. */
json_t *json_bytes(const char *s);

/* The target as a JSON object (environment, colour, fields). */
json_t *facts_target_json(const facts *fx);

void audit_record(const char *log_path, bool use_syslog, int argc, char *const *argv,
                  const facts *fx, const decision *d, gate_outcome g);

#endif
