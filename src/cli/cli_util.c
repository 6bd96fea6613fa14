/*
 * cli_util.c - printing for the command line: errors, log lines, the summary table.
 * All user-facing output of popsim goes through src/cli; the library never prints.
 */
#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "popsim/services.h"
#include "popsim/units.h"
#include "popsim/version.h"

const char *cli_text(cli_esc *buf, const char *text)
{
    return ps_text_escape(buf->s, sizeof buf->s, text);
}

void cli_put_text(FILE *out, const char *text)
{
    size_t n = text != NULL ? strlen(text) : 0;
    size_t size = CLI_ESCAPED_MAX * n + 1; /* \xHH: four bytes for each byte at most */
    char *buf = malloc(size);
    if (buf == NULL) { /* print what fits on the stack rather than nothing */
        cli_esc small;
        fputs(cli_text(&small, text), out);
        return;
    }
    fputs(ps_text_escape(buf, size, text), out);
    free(buf);
}

void cli_print_error(const ps_error *err)
{
    char buf[2048];
    fprintf(stderr, "%s\n", ps_error_format(err, buf, sizeof buf));
}

void cli_log(int quiet, const char *fmt, ...)
{
    if (quiet) {
        return;
    }
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm_utc;
    gmtime_r(&now, &tm_utc);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
    fprintf(stderr, "[%s] popsim: ", stamp);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *cli_fmt_count(char *buf, size_t size, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
        return buf;
    }
    char digits[64];
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    size_t n = strlen(digits), w = 0;
    if (v < -0.5 && w + 1 < size) {
        buf[w++] = '-';
    }
    for (size_t i = 0; i < n && w + 2 < size; ++i) {
        buf[w++] = digits[i];
        if ((n - i - 1) % 3 == 0 && i + 1 < n) {
            buf[w++] = ',';
        }
    }
    buf[w] = '\0';
    return buf;
}

/* The years planners ask for first, between the base year and the last year. */
static const int summary_years[] = { 2025, 2030, 2035, 2050, 2100 };

static void summary_row(FILE *out, const ps_result *res, int year)
{
    const int y = year - res->start_year;
    char total[32], births[32], young[32], tfr_text[16];
    double pop = ps_result_total(res, year);
    double tfr = 0.0;
    for (int reg = 0; reg < res->n_regions; ++reg) {
        tfr += res->tfr[ps_result_regcell(res, y, reg)];
    }
    tfr /= res->n_regions;
    snprintf(tfr_text, sizeof tfr_text, isfinite(tfr) ? "%.2f" : "-", tfr);
    double old_share = ps_result_age_range(res, year, 65, res->n_ages - 1) / pop;
    fprintf(out, "%6d %16s %12s %6s %8.1f%% %12s\n", year,
            cli_fmt_count(total, sizeof total, pop),
            cli_fmt_count(births, sizeof births, ps_result_births(res, year)), tfr_text,
            100.0 * old_share,
            cli_fmt_count(young, sizeof young, ps_result_age_range(res, year, 0, 2)));
}

void cli_print_summary(FILE *out, const ps_result *res)
{
    const int last = res->start_year + res->n_years - 1;
    cli_esc name;
    fputs(cli_text(&name, res->name), out);
    if (res->title != NULL) {
        fputs(": ", out);
        cli_put_text(out, res->title);
    }
    fputc('\n', out);
    fprintf(out, "%6s %16s %12s %6s %9s %12s\n", "year", "population", "births", "TFR",
            "aged 65+", "aged 0-2");
    summary_row(out, res, res->start_year);
    for (size_t i = 0; i < sizeof summary_years / sizeof summary_years[0]; ++i) {
        if (summary_years[i] > res->start_year && summary_years[i] < last) {
            summary_row(out, res, summary_years[i]);
        }
    }
    summary_row(out, res, last);
    fprintf(out, "Population on 1 July; births and TFR for the year from 1 July (\"-\" after the "
                 "last step). Planning years: the base year, 2030, 2035, 2050 and the last year.\n");
}

/* 1 if the shell reads `arg` as one literal word without quotes. */
static int shell_safe(const char *arg)
{
    static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                               "_-+=./,:@%";
    return arg[0] != '\0' && strspn(arg, safe) == strlen(arg);
}

/* Append `arg` quoted for a POSIX shell: as is when safe, else in single quotes with each '
 * written as '\'' (a single-quoted string cannot contain one). `out` has room (4 per byte). */
static size_t put_quoted(char *out, const char *arg)
{
    size_t w = 0;
    if (shell_safe(arg)) {
        w = strlen(arg);
        memcpy(out, arg, w);
        return w;
    }
    out[w++] = '\'';
    for (const char *c = arg; *c != '\0'; ++c) {
        if (*c == '\'') {
            memcpy(out + w, "'\\''", 4);
            w += 4;
        } else {
            out[w++] = *c;
        }
    }
    out[w++] = '\'';
    return w;
}

char *cli_join_args(int argc, char **argv)
{
    static const char program[] = "popsim";
    size_t len = sizeof program;
    for (int i = 0; i < argc; ++i) {
        len += 1 + 4 * strlen(argv[i]) + 2; /* a space, each ' as 4 bytes, the quotes */
    }
    char *buf = malloc(len);
    if (buf == NULL) {
        return NULL;
    }
    size_t w = sizeof program - 1;
    memcpy(buf, program, w);
    for (int i = 0; i < argc; ++i) {
        buf[w++] = ' ';
        w += put_quoted(buf + w, argv[i]);
    }
    buf[w] = '\0';
    return buf;
}

void cli_print_version(void)
{
    printf("popsim %s (commit %s)\n", ps_version(), ps_git_commit());
}

const char *cli_project_root(char *buf, size_t size)
{
    enum { MAX_LEVELS = 4 };
    char dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n <= 0) {
        return NULL;
    }
    dir[n] = '\0';
    for (int level = 0; level <= MAX_LEVELS; ++level) {
        char *slash = strrchr(dir, '/');
        if (slash == NULL || slash == dir) {
            return NULL;
        }
        *slash = '\0'; /* the folder of the program, then its parent, ... */
        char probe[PATH_MAX + 64];
        struct stat st;
        snprintf(probe, sizeof probe, "%s/../shared/data/wpp2024/locations.csv", dir);
        if (stat(probe, &st) == 0 && S_ISREG(st.st_mode) && strlen(dir) < size) {
            snprintf(buf, size, "%s", dir);
            return buf;
        }
    }
    return NULL;
}

/* ---- services in words (targets, compare) ---------------------------------------------- */

int cli_service_has_capacity(const ps_result *r, const ps_svc_result *s)
{
    size_t cells = (size_t)r->n_years * (size_t)r->n_regions;
    for (size_t i = 0; s->capacity != NULL && i < cells; ++i) {
        if (!isnan(s->capacity[i])) {
            return 1;
        }
    }
    return 0;
}

/* "4.5" for a constant target, "30 -> 40" for one that changes (first and last value). */
static void target_values(char *buf, size_t size, const ps_result *r, const ps_svc_result *s,
                          int as_count)
{
    double first = NAN, last = NAN;
    for (int y = 0; s->target != NULL && y < r->n_years; ++y) {
        if (!isnan(s->target[y])) {
            first = isnan(first) ? s->target[y] : first;
            last = s->target[y];
        }
    }
    char a[32], b[32];
    if (as_count) {
        cli_fmt_count(a, sizeof a, first);
        cli_fmt_count(b, sizeof b, last);
    } else {
        snprintf(a, sizeof a, "%g", first);
        snprintf(b, sizeof b, "%g", last);
    }
    if (isnan(first) || strcmp(a, b) == 0) {
        snprintf(buf, size, "%s", isnan(first) ? "?" : a);
    } else {
        snprintf(buf, size, "%s -> %s", a, b);
    }
}

const char *cli_service_target_text(char *buf, size_t size, const ps_result *r,
                                    const ps_svc_result *s)
{
    char v[80], ages[64];
    int per_1000 = 1;
    const char *of = "";
    switch ((ps_svc_basis)s->basis) {
    case PS_SVC_BASIS_POPULATION: of = "population"; break;
    case PS_SVC_BASIS_GROUP: of = "persons of the target group"; break;
    case PS_SVC_BASIS_AGES:
        of = "persons in the target's age range";
        if (s->basis_age_lo >= 0) {
            if (s->basis_age_hi >= r->n_ages - 1) {
                snprintf(ages, sizeof ages, "persons aged %d+", s->basis_age_lo);
            } else {
                snprintf(ages, sizeof ages, "persons aged %d-%d", s->basis_age_lo,
                         s->basis_age_hi);
            }
            of = ages;
        }
        break;
    case PS_SVC_BASIS_PLACES: per_1000 = 0; break;
    case PS_SVC_BASIS_BASE_YEAR:
        snprintf(buf, size, "target: the places needed in %d, held constant", r->start_year);
        return buf;
    case PS_SVC_BASIS_NONE:
    case PS_SVC_BASIS_COUNT:
    default:
        snprintf(buf, size, "%s", cli_service_has_capacity(r, s) ? "capacity as given"
                                                                 : "no capacity target");
        return buf;
    }
    target_values(v, sizeof v, r, s, !per_1000);
    if (per_1000) {
        snprintf(buf, size, "target %s places per 1,000 %s", v, of);
    } else {
        snprintf(buf, size, "target %s places", v);
    }
    return buf;
}

ps_status cli_read_results(ps_result **out, int *n_out, const char *path, char *const *names,
                           int n, int pick, ps_error *err)
{
    ps_result *res = calloc((size_t)n + 1, sizeof *res);
    ps_status rc = res != NULL ? PS_OK : ps_error_set(err, PS_ENOMEM, "out of memory");
    int loaded = 0;
    for (int k = 0; rc == PS_OK && k < n; ++k) {
        if (pick >= 0 && k != pick) {
            continue;
        }
        if ((rc = ps_h5_read(&res[loaded], path, names[k], err)) == PS_OK) {
            ++loaded;
        }
    }
    if (rc != PS_OK && err != NULL && err->path[0] == '\0') {
        snprintf(err->path, sizeof err->path, "%s", path);
    }
    *out = res;
    *n_out = loaded;
    return rc;
}

void cli_free_results(ps_result *res, int n)
{
    for (int k = 0; k < n; ++k) {
        ps_result_release(&res[k]);
    }
    free(res);
}
