/*
 * version.c - the library's version and build commit. The commit comes from a header
 * that the build rewrites whenever HEAD moves (cmake/git_commit.cmake), so a rebuild
 * after a commit records the new one without re-running the configure step.
 */
#include "popsim/version.h"

#include "ps_git_commit.h" /* generated: PS_GIT_COMMIT_STRING */

const char *ps_version(void)
{
    return PS_VERSION_STRING;
}

int ps_version_number(void)
{
    return PS_VERSION_MAJOR * 10000 + PS_VERSION_MINOR * 100 + PS_VERSION_PATCH;
}

const char *ps_git_commit(void)
{
    return PS_GIT_COMMIT_STRING;
}
