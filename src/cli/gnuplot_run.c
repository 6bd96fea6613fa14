/*
 * gnuplot_run.c - gnuplot as a child process: found in $POPSIM_GNUPLOT or PATH, started with
 * fork + execv (an argv, never a shell, so no file or scenario name is ever parsed by one),
 * run inside the chart folder so the script's relative names work, its exit status checked,
 * and its image checked to exist and be non-empty.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "plot_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "signals.h"

/* Exit status of the child when execv itself fails (the shell's convention for "not found"). */
#define EXEC_FAILED_STATUS 127
/* Largest year --year accepts (four digits); the scenario decides what is in range. */
#define CLI_LAST_CALENDAR_YEAR 9999

/* A new copy of "dir/name" if it names an executable regular file, else NULL. */
static char *executable(const char *dir, size_t dir_len, const char *name)
{
    size_t len = dir_len + strlen(name) + 2;
    char *path = malloc(len);
    struct stat st;
    if (path == NULL) {
        return NULL;
    }
    snprintf(path, len, "%.*s%s%s", (int)dir_len, dir, dir_len > 0 ? "/" : "", name);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, X_OK) != 0) {
        free(path);
        path = NULL;
    }
    return path;
}

/* Look `name` up like execvp would: as given if it has a slash, else in each PATH entry. */
static char *search_path(const char *name)
{
    if (strchr(name, '/') != NULL) {
        return executable("", 0, name);
    }
    const char *path = getenv("PATH");
    for (const char *p = path; p != NULL && *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon != NULL ? (size_t)(colon - p) : strlen(p);
        char *found = executable(len > 0 ? p : ".", len > 0 ? len : 1, name);
        if (found != NULL) {
            return found;
        }
        p = colon != NULL ? colon + 1 : NULL;
    }
    return NULL;
}

ps_status cli_gnuplot_find(char **path_out, ps_error *err)
{
    const char *wanted = getenv("POPSIM_GNUPLOT");
    *path_out = search_path(wanted != NULL && wanted[0] ? wanted : "gnuplot");
    if (*path_out == NULL) {
        return ps_error_set(err, PS_EIO, "%s%s%s%s", CLI_GNUPLOT_MISSING,
                            wanted != NULL && wanted[0] ? " (POPSIM_GNUPLOT='" : "",
                            wanted != NULL && wanted[0] ? wanted : "",
                            wanted != NULL && wanted[0] ? "' is not an executable)" : "");
    }
    return PS_OK;
}

/* In the child: stdin from /dev/null, cwd = dir, then gnuplot SCRIPT. Never returns. */
static void exec_child(const char *gnuplot, const char *dir, const char *script)
{
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        close(devnull);
    }
    if (chdir(dir) == 0) {
        char *const argv[] = { (char *)"gnuplot", (char *)script, NULL };
        execv(gnuplot, argv);
    }
    _exit(EXEC_FAILED_STATUS);
}

/* Run gnuplot on dir/NAME.gp and check that dir/NAME.ext came out non-empty. */
static ps_status run_one(const char *gnuplot, const char *dir, const char *name, const char *ext,
                         ps_error *err)
{
    char script[160], image[4096];
    int status = 0;
    struct stat st;
    snprintf(script, sizeof script, "%s.gp", name);
    snprintf(image, sizeof image, "%s/%s.%s", dir, name, ext);
    unlink(image); /* an old image must not pass for a new one */
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        return ps_error_set(err, PS_EIO, "cannot start gnuplot: %s", strerror(errno));
    }
    if (pid == 0) {
        exec_child(gnuplot, dir, script);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return ps_error_set(err, PS_EIO, "cannot wait for gnuplot: %s", strerror(errno));
        }
    }
    if (WIFSIGNALED(status)) {
        return ps_error_set_at(err, PS_EIO, script, 0, 0, "gnuplot (%s) was killed by signal %d",
                               gnuplot, WTERMSIG(status));
    }
    if (WEXITSTATUS(status) != 0) {
        return ps_error_set_at(err, PS_EIO, script, 0, 0,
                               "gnuplot (%s) failed with exit status %d in '%s'", gnuplot,
                               WEXITSTATUS(status), dir);
    }
    if (stat(image, &st) != 0 || st.st_size == 0) {
        return ps_error_set_at(err, PS_EIO, image, 0, 0, "gnuplot exited normally but wrote no "
                               "image");
    }
    return PS_OK;
}

ps_status cli_render_charts(const char *gnuplot, const ps_plot_set *s,
                            const ps_plot_chart *charts, int n, const char *dir,
                            const ps_plot_options *opt, int quiet, ps_error *err)
{
    ps_status rc = PS_OK;
    const char *ext = ps_plot_format_ext(opt->format);
    for (int k = 0; k < n && rc == PS_OK && (rc = cli_check_interrupt(err)) == PS_OK; ++k) {
        cli_log(quiet, "chart %d of %d: %s.%s", k + 1, n, charts[k].name, ext);
        rc = ps_plot_write(s, &charts[k], dir, opt, err);
        if (rc == PS_OK) {
            rc = run_one(gnuplot, dir, charts[k].name, ext, err);
        }
    }
    return rc;
}

/* "WxH" into two ints within the accepted range. */
static int parse_size(ps_plot_options *opt, const char *value)
{
    char *end = NULL;
    long w = strtol(value, &end, 10), h = 0;
    if (end == value || (*end != 'x' && *end != 'X')) {
        return 0;
    }
    const char *rest = end + 1;
    h = strtol(rest, &end, 10);
    if (end == rest || *end != '\0' || w < PS_PLOT_MIN_SIDE_PX || w > PS_PLOT_MAX_SIDE_PX ||
        h < PS_PLOT_MIN_SIDE_PX || h > PS_PLOT_MAX_SIDE_PX) {
        return 0;
    }
    opt->width_px = (int)w;
    opt->height_px = (int)h;
    return 1;
}

int cli_plot_common_option(ps_plot_options *opt, const char *opt_name, const char *value)
{
    static const char *const langs[PS_PLOT_LANG_COUNT] = { "en", "zh" };
    if (strcmp(opt_name, "lang") == 0) {
        for (int l = 0; l < PS_PLOT_LANG_COUNT; ++l) {
            if (strcmp(value, langs[l]) == 0) {
                opt->lang = (ps_plot_lang)l;
                return 1;
            }
        }
        fprintf(stderr, "popsim: --lang must be en or zh (got '%s')\n", value);
        return -1;
    }
    if (strcmp(opt_name, "size") == 0) {
        if (parse_size(opt, value)) {
            return 1;
        }
        fprintf(stderr, "popsim: --size must be WIDTHxHEIGHT in pixels, each %d..%d (got '%s')\n",
                PS_PLOT_MIN_SIDE_PX, PS_PLOT_MAX_SIDE_PX, value);
        return -1;
    }
    if (strcmp(opt_name, "year") == 0) {
        char *end = NULL;
        long year = strtol(value, &end, 10);
        if (end != value && *end == '\0' && year > 0 && year <= CLI_LAST_CALENDAR_YEAR) {
            opt->pyramid_year = (int)year;
            return 1;
        }
        fprintf(stderr, "popsim: --year must be a calendar year (got '%s')\n", value);
        return -1;
    }
    return 0;
}
