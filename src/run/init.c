/*
 * run/init.c - the one process-wide setting the library needs, made once by the program:
 * GSL's default error handler aborts and HDF5 prints its error stack, so both are turned
 * off and every failure comes back as a located ps_status instead (STYLE.md 2.4).
 */
#include <gsl/gsl_errno.h>

#include "popsim/h5out.h"
#include "popsim/run.h"

void ps_init(void)
{
    gsl_set_error_handler_off();
    ps_h5_quiet();
}
