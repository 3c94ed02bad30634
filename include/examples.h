/* examples.h - running a rule's own examples (interlock rules test). Each
 * example runs against the embedded default configuration (plus its own
 * `config` text), in a fresh directory holding its `tree`, so it tests the
 * rule and not the site. */
#ifndef INTERLOCK_EXAMPLES_H
#define INTERLOCK_EXAMPLES_H

#include <stdbool.h>
#include <stddef.h>

#include "rules.h"

/* Sets *matched to whether r matches any operation of the example's
 * invocation. false with a message in err when the example could not be
 * set up. */
bool example_run(const rule *r, const example *ex, bool *matched, char *err, size_t errlen);

#endif
