/*
 * memory.c - the memory estimate of a run and the check against what the machine has.
 *
 * The estimate counts doubles per (step, region, sex, age) cell of every array a run holds
 * at its peak (inputs, engine workspace, result, the HDF5 writer's copy of one variable),
 * rounds the parity arrays up to four parities per age, and adds a fixed allowance for the
 * shared libraries and HDF5's caches. It overestimates on purpose: refusing a run that
 * would have fitted costs a flag, an out-of-memory kill costs the batch job.
 */
#include "popsim/memory.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PS_MEM_FIXED_BYTES ((size_t)64 << 20) /* libraries, HDF5 caches, stdio, bytes */
#define PS_MEM_CELL_ARRAYS 12                  /* [step][reg][sex][age] arrays at the peak */
#define PS_MEM_PARITIES 4                      /* parity 0..3+ per woman's age */
#define PS_MEM_BYTES_PER_MIB 1048576.0
#define PS_MEM_MIB_PER_GIB 1024.0

/* a * b, or SIZE_MAX when it overflows (and SIZE_MAX stays SIZE_MAX). */
static size_t mul(size_t a, size_t b)
{
    return (a != 0 && b > SIZE_MAX / a) ? SIZE_MAX : a * b;
}

static size_t add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

size_t ps_mem_output_estimate(const ps_mem_shape *s)
{
    if (s->n_steps < 1 || s->n_regions < 1 || s->n_ages < 1 || s->n_scenarios < 1) {
        return 0;
    }
    size_t years = (size_t)s->n_steps + 1;
    size_t cells = mul(mul(years, (size_t)s->n_regions), (size_t)s->n_ages); /* one sex */
    /* Per scenario: 2 sexes x the cell arrays, the parity table of women, and the small
     * [year][reg] and [year][reg][sex] series (births, tfr, e0, srb, costs: at most 16). */
    size_t doubles = add(add(mul(cells, 2 * PS_MEM_CELL_ARRAYS), mul(cells, PS_MEM_PARITIES)),
                         mul(mul(years, (size_t)s->n_regions), 16));
    return mul(mul(doubles, sizeof(double)), (size_t)s->n_scenarios);
}

size_t ps_mem_estimate(const ps_mem_shape *s)
{
    return add(ps_mem_output_estimate(s), PS_MEM_FIXED_BYTES);
}

/* "MemAvailable:   12345 kB" from /proc/meminfo (Linux >= 3.14); 0 if absent. */
static size_t meminfo_available(void)
{
    char buf[4096];
    int fd = open("/proc/meminfo", O_RDONLY);
    if (fd < 0) {
        return 0;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        return 0;
    }
    buf[n] = '\0';
    const char *p = strstr(buf, "MemAvailable:");
    if (p == NULL) {
        return 0;
    }
    unsigned long long kib = strtoull(p + strlen("MemAvailable:"), NULL, 10);
    return mul((size_t)kib, 1024);
}

ps_status ps_mem_available(size_t *bytes_out, const char **source_out, ps_error *err)
{
    const char *env = getenv("POPSIM_MEMORY_LIMIT_BYTES");
    const char *source = NULL;
    *bytes_out = 0;
    if (env != NULL && env[0] != '\0') {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(env, &end, 10);
        if (env[0] < '0' || env[0] > '9' || *end != '\0' || errno != 0 || v == 0) {
            return ps_error_set(err, PS_EINVAL,
                                "POPSIM_MEMORY_LIMIT_BYTES = '%.40s' is not a positive whole "
                                "number of bytes", env);
        }
        *bytes_out = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
        source = "POPSIM_MEMORY_LIMIT_BYTES";
    } else if ((*bytes_out = meminfo_available()) > 0) {
        source = "MemAvailable in /proc/meminfo";
    } else {
        long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        *bytes_out = pages > 0 && page > 0 ? mul((size_t)pages, (size_t)page) : SIZE_MAX;
        source = pages > 0 && page > 0 ? "available physical pages" : "unknown";
    }
    if (source_out != NULL) {
        *source_out = source;
    }
    return PS_OK;
}

void ps_mem_format_bytes(char *buf, size_t size, size_t bytes)
{
    double mib = (double)bytes / PS_MEM_BYTES_PER_MIB;
    if (mib < PS_MEM_MIB_PER_GIB) {
        snprintf(buf, size, "%.1f MiB", mib);
    } else {
        snprintf(buf, size, "%.2f GiB", mib / PS_MEM_MIB_PER_GIB);
    }
}

ps_status ps_mem_check(const ps_mem_shape *s, size_t available, const char *source,
                       ps_error *err)
{
    size_t need = ps_mem_estimate(s);
    if (need <= available) {
        return PS_OK;
    }
    char need_text[32], avail_text[32];
    ps_mem_format_bytes(need_text, sizeof need_text, need);
    ps_mem_format_bytes(avail_text, sizeof avail_text, available);
    return ps_error_set(err, PS_ENOMEM,
                        "this run needs about %s of memory (%d scenario%s x %d years x %d "
                        "region%s x 2 sexes x %d ages) but only %s are available (%s); shorten "
                        "the horizon, run fewer scenarios or regions at once, or run on a "
                        "machine with more memory",
                        need_text, s->n_scenarios, s->n_scenarios == 1 ? "" : "s",
                        s->n_steps + 1, s->n_regions, s->n_regions == 1 ? "" : "s", s->n_ages,
                        avail_text, source != NULL ? source : "this machine");
}

ps_status ps_mem_check_output(const ps_mem_shape *s, size_t max_output, ps_error *err)
{
    size_t bytes = ps_mem_output_estimate(s);
    if (bytes <= max_output) {
        return PS_OK;
    }
    char bytes_text[32], max_text[32];
    ps_mem_format_bytes(bytes_text, sizeof bytes_text, bytes);
    ps_mem_format_bytes(max_text, sizeof max_text, max_output);
    return ps_error_set(err, PS_EINVAL,
                        "this run would write about %s of results (%d scenario%s x %d years x "
                        "%d region%s x 2 sexes x %d ages), more than the limit of %s; shorten "
                        "the horizon or run fewer scenarios, or give --allow-large",
                        bytes_text, s->n_scenarios, s->n_scenarios == 1 ? "" : "s",
                        s->n_steps + 1, s->n_regions, s->n_regions == 1 ? "" : "s", s->n_ages,
                        max_text);
}
