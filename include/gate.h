/* gate.h - the banner and the typed confirmation. The answer is read from
 * /dev/tty only: never from stdin, an environment variable, a flag or a
 * file, so nothing piped into the tool or set by an agent can answer. */
#ifndef INTERLOCK_GATE_H
#define INTERLOCK_GATE_H

#include <stdio.h>

#include "decide.h"
#include "facts.h"

typedef enum {
	GATE_NOT_ASKED, /* verdict was allow or block */
	GATE_CONFIRMED, /* every token typed exactly */
	GATE_REFUSED,   /* a wrong answer, or end of input */
	GATE_NO_TTY,    /* no controlling terminal to ask on */
} gate_outcome;

const char *gate_outcome_name(gate_outcome g);

/* Shows the banner on /dev/tty and asks for each token of d.
 * cmdline is the command as the user typed it (for the banner). */
gate_outcome gate_confirm(const facts *fx, const decision *d, const char *cmdline);

/* The one-paragraph refusal on stderr (exit 77 follows). */
/* The matched rules, one line each, but at most MAX_SHOWN_PER_RULE per
 * rule and then a count: a script of 10,000 UPDATEs must not bury the
 * question (check --json and the audit record keep every match). */
#define MAX_SHOWN_PER_RULE 5
void gate_print_matches(FILE *f, const decision *d);

void gate_report_refusal(const facts *fx, const decision *d, gate_outcome g, const char *cmdline);

/* Writes s with control characters shown as \xNN, so a file name or SQL
 * text cannot move the cursor or recolour the banner: C0 controls, DEL, C1
 * controls (U+0080..U+009F) and every byte that is not part of well-formed
 * UTF-8 (a lone 0x9B is CSI to an 8-bit terminal). */
void fput_safe(const char *s, FILE *f);
/* The same as a new string. Caller frees. */
char *safe_text(const char *s);
/* Bytes of the character at s that may be shown as they are, or 0 when
 * its first byte must be escaped. */
size_t safe_char_len(const char *s);

/* True when colours may be used on this stream (NO_COLOR unset, a tty). */
bool use_colour(int fd);

/* ANSI colour sequence for an environment colour name ("" for none). */
const char *colour_code(const char *colour);

#endif
