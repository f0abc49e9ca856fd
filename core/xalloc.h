/*
 * xalloc: allocation that never returns NULL.
 *
 * Running out of memory is not a condition this service can recover from
 * sensibly, so every allocator here aborts with a message instead of
 * making each caller check for NULL (the Redis convention).
 */
#ifndef SUQIU_CORE_XALLOC_H
#define SUQIU_CORE_XALLOC_H

#include <stddef.h>

#define MUSTCHECK __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a formatted string the caller frees. */
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
