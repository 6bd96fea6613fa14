/*
 * str.c - string copies shared by every layer of the library (core/str_int.h).
 */
#include "core/str_int.h"

#include <stdlib.h>
#include <string.h>

char *ps__strdup(const char *s)
{
    return s != NULL ? ps__strndup(s, strlen(s)) : NULL;
}

char *ps__strndup(const char *s, size_t n)
{
    char *copy = malloc(n + 1);
    if (copy != NULL) {
        memcpy(copy, s, n);
        copy[n] = '\0';
    }
    return copy;
}
