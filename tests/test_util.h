/*
 * test_util.h - helpers shared by the cmocka tests: a double-precision closeness check
 * (cmocka 1.1.5's float assert is single precision) and builders for tiny inputs.
 */
#ifndef PS_TEST_UTIL_H
#define PS_TEST_UTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define assert_close(actual, expected, rel_tol)                                                \
    do {                                                                                       \
        const double a_ = (actual), e_ = (expected);                                           \
        if (!(fabs(a_ - e_) <= (rel_tol) * fmax(1.0, fabs(e_)))) {                             \
            fail_msg("%s = %.17g, expected %.17g (rel tol %g)", #actual, a_, e_,             \
                     (double)(rel_tol));                                                       \
        }                                                                                      \
    } while (0)

/* Assert a ps_status is PS_OK, printing the error record otherwise. */
#define assert_ps_ok(call, errp)                                                               \
    do {                                                                                       \
        ps_status st_ = (call);                                                                \
        if (st_ != PS_OK) {                                                                    \
            char buf_[2048];                                                                   \
            fail_msg("%s failed: %s", #call, ps_error_format((errp), buf_, sizeof buf_));     \
        }                                                                                      \
    } while (0)

#endif /* PS_TEST_UTIL_H */
