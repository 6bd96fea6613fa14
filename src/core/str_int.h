/*
 * core/str_int.h - copies of strings for the whole library (C11 has no strdup): the one
 * home of what was written seven times (issue #11, section 2). The caller frees the copy.
 */
#ifndef PS_STR_INT_H
#define PS_STR_INT_H

#include <stddef.h>

/* A copy of s; NULL if s is NULL or memory ran out. */
char *ps__strdup(const char *s);

/* A copy of the first n bytes of s, terminated; NULL if memory ran out. */
char *ps__strndup(const char *s, size_t n);

#endif /* PS_STR_INT_H */
