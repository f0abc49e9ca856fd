/*
 * log: one JSON object per line on standard output.
 *
 * Every line carries "ts" (RFC 3339, +08:00), "level", "event" and the
 * fields given as a jansson pack format. Never pass secrets (passwords,
 * tokens, cookies) as fields: nothing here scrubs them.
 */
#ifndef SUQIU_CORE_LOG_H
#define SUQIU_CORE_LOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Sets the process name included in every line ("server", "worker"...). */
void log_set_component(const char *name);

/* Logs event with extra fields packed by fmt ("{s:s, s:i}" etc.); fmt may
 * be NULL for no fields. */
void logj(const char *level, const char *event, const char *fmt, ...);

/* Logs event with the fields of obj (the reference is stolen). */
void log_obj(const char *level, const char *event, json_t *obj);

/* Buffered mode (the server's hot path): lines are written in blocks and
 * reach the file at log_flush(), which the caller runs on a short timer
 * and at exit. Unbuffered (the default) flushes every line. */
void log_set_buffered(bool on);
void log_flush(void);

/* Writes one pre-formatted JSON line (no newline in line). */
void log_line(const char *line, size_t len);

/* Appends s to out as the inside of a JSON string (quotes, backslashes and
 * control characters escaped; s must be valid UTF-8). Returns the length
 * written, truncating at outlen - 1. */
size_t log_escape(char *out, size_t outlen, const char *s);

#endif
