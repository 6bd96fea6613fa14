/*
 * main.c - the popsim command line: dispatches to one cmd_<verb>() per subcommand.
 * Exit status: 0 success, 1 input or runtime error, 2 usage error.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("popsim %s (%s)\n", PS_VERSION, PS_GIT_COMMIT);
        return 0;
    }
    fprintf(stderr, "usage: popsim <command> [options]\n");
    return 2;
}
