/*
 * mpi_load.c - loading the popsim-mpi plugin (issue #18, start-up; mpi_dl.h): only a process
 * that an MPI launcher started loads libmpi. The plugin's table is found again through the
 * dynamic linker at each call (dlsym), so the program keeps no state of its own.
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpi_dl.h"

#ifndef PS_MPI_PLUGIN_DIR
#define PS_MPI_PLUGIN_DIR "../lib/popsim" /* the installed layout, relative to bin/ */
#endif

const cli_mpi_ops *cli_mpi_ops_get(void)
{
    return (const cli_mpi_ops *)dlsym(RTLD_DEFAULT, CLI_MPI_OPS_SYMBOL);
}

const cli_mpi_ops *cli_mpi_ops_need(void)
{
    const cli_mpi_ops *ops = cli_mpi_ops_get();
    if (ops == NULL) {
        fprintf(stderr, "popsim: internal error: an MPI call without the MPI plugin loaded\n");
        abort();
    }
    return ops;
}

/* dlopen `path`; on failure append dlerror's text to why[]. */
static int try_open(const char *path, char *why, size_t size)
{
    if (dlopen(path, RTLD_NOW | RTLD_GLOBAL) != NULL) {
        return 0;
    }
    const size_t used = strlen(why);
    const char *reason = dlerror();
    const int room = (int)(size - used); /* the reason is cut to what is left */
    snprintf(why + used, size - used, "%s%.*s", used > 0 ? "; " : "", room,
             reason != NULL ? reason : path);
    return -1;
}

int cli_mpi_load(void)
{
    char exe[PATH_MAX], path[PATH_MAX + 64], why[2048] = "";
    const char *env = getenv("POPSIM_MPI_PLUGIN");
    ssize_t n = 0;
    if (cli_mpi_ops_get() != NULL) {
        return 0;
    }
    if (env != NULL && env[0] != '\0') {
        if (try_open(env, why, sizeof why) == 0) {
            return 0;
        }
    } else if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
        }
        snprintf(path, sizeof path, "%s/%s", exe, CLI_MPI_PLUGIN_NAME);
        if (try_open(path, why, sizeof why) == 0) {
            return 0;
        }
        snprintf(path, sizeof path, "%s/%s/%s", exe, PS_MPI_PLUGIN_DIR, CLI_MPI_PLUGIN_NAME);
        if (try_open(path, why, sizeof why) == 0) {
            return 0;
        }
    } else {
        snprintf(why, sizeof why, "the program's own path is unknown (/proc/self/exe)");
    }
    fprintf(stderr, "popsim: error: started by an MPI launcher, but the MPI plugin %s cannot "
            "be loaded (%s); set POPSIM_MPI_PLUGIN to its path, or run popsim without "
            "mpirun\n", CLI_MPI_PLUGIN_NAME, why);
    return -1;
}
