/* log: JSON lines on stdout; see log.h. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/timefmt.h"

static const char *component = "suqiu";

void log_set_component(const char *name)
{
	component = name;
}

void log_obj(const char *level, const char *event, json_t *obj)
{
	char ts[TIMEFMT_LEN];
	timefmt_now(ts);
	json_t *line = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "level", level, "component",
				 component, "event", event);
	if (obj)
		json_object_update(line, obj);
	json_decref(obj);
	char *text = json_dumps(line, JSON_COMPACT);
	if (text) {
		/* one write per line keeps lines whole when several processes share a file */
		fprintf(stdout, "%s\n", text);
		fflush(stdout);
		free(text);
	}
	json_decref(line);
}

void logj(const char *level, const char *event, const char *fmt, ...)
{
	json_t *obj = NULL;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		json_error_t err;
		obj = json_vpack_ex(&err, 0, fmt, ap);
		va_end(ap);
		if (!obj)
			obj = json_pack("{s:s}", "log_error", err.text);
	}
	log_obj(level, event, obj);
}
