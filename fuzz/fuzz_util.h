/*
 * fuzz_util.h - shared helpers of the libFuzzer harnesses (scripts/fuzz.sh builds them).
 * popsim's readers take paths, so each input is written to a file in a private folder made
 * once per process under $TMPDIR (scripts/fuzz.sh points TMPDIR at its own work folder and
 * removes it afterwards). Nothing is written anywhere else; nothing is kept between inputs.
 */
#ifndef PS_FUZZ_UTIL_H
#define PS_FUZZ_UTIL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The harness's private folder, created on first use; aborts if it cannot be made. */
static const char *fuzz_dir(void)
{
    static char dir[PATH_MAX];
    if (dir[0] == '\0') {
        const char *base = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%.3900s/popsim_fuzz_XXXXXX", base && base[0] ? base : "/tmp");
        if (mkdtemp(dir) == NULL) {
            perror("fuzz: mkdtemp");
            abort();
        }
    }
    return dir;
}

/* Write data[0..size) to <fuzz_dir>/<name>; returns the path (static storage). */
static const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    static char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror("fuzz: write input");
        abort();
    }
    return path;
}

#endif /* PS_FUZZ_UTIL_H */
