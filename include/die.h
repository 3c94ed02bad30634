/* die.h - report-and-exit helpers in the err(3) tradition. Every message is
 * prefixed "interlock: " so a user can tell it from the real tool's output. */
#ifndef INTERLOCK_DIE_H
#define INTERLOCK_DIE_H

#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define NORETURN     __attribute__((noreturn))

/* Message, then ": strerror(errno)", then exit(code). */
NORETURN PRINTF(2, 3) void die(int code, const char *fmt, ...);
/* Message only, then exit(code). */
NORETURN PRINTF(2, 3) void diex(int code, const char *fmt, ...);
/* Message plus strerror(errno); no exit. */
PRINTF(1, 2) void warn_errno(const char *fmt, ...);
/* Message only; no exit. */
PRINTF(1, 2) void warnx(const char *fmt, ...);

#endif
