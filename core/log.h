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

/* Sets the process name included in every line ("server", "worker"...). */
void log_set_component(const char *name);

/* Logs event with extra fields packed by fmt ("{s:s, s:i}" etc.); fmt may
 * be NULL for no fields. */
void logj(const char *level, const char *event, const char *fmt, ...);

/* Logs event with the fields of obj (the reference is stolen). */
void log_obj(const char *level, const char *event, json_t *obj);

#endif
