/*
 * consumer.c - a program built against an installed libps, as a user outside the project
 * would build one (tests/install_test.sh builds it with pkg-config and with CMake). It
 * includes only <popsim/popsim.h> and checks the library answers: its version, and the
 * life expectancy of a constant hazard, whose exact value is 1 / mu.
 * usage: consumer EXPECTED_VERSION
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <popsim/popsim.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: consumer EXPECTED_VERSION\n");
        return 2;
    }
    if (strcmp(ps_version(), argv[1]) != 0 || strcmp(PS_VERSION_STRING, argv[1]) != 0) {
        fprintf(stderr, "version: library %s, header %s, expected %s\n", ps_version(),
                PS_VERSION_STRING, argv[1]);
        return 1;
    }
    /* A constant death rate mu at every age: the life table's e0 is 1/mu up to the
     * open-age-group and a(x) conventions, far below 1 % at mu = 0.0237. */
    const double mu = 0.0237;
    double mx[PS_DEFAULT_MAX_AGE + 1];
    for (int age = 0; age <= PS_DEFAULT_MAX_AGE; ++age) {
        mx[age] = mu;
    }
    double e0 = ps_lt_e0(mx, PS_DEFAULT_MAX_AGE + 1, PS_SEX_FEMALE);
    if (!(fabs(e0 * mu - 1.0) < 0.01)) {
        fprintf(stderr, "e0 = %.6f, expected about %.6f\n", e0, 1.0 / mu);
        return 1;
    }
    printf("popsim %s (commit %s): e0 = %.4f for mu = %.4f\n", ps_version(), ps_git_commit(),
           e0, mu);
    return 0;
}
