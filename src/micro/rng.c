/*
 * rng.c - Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011, "Parallel random numbers: as
 * easy as 1, 2, 3", SC'11; Random123) for a batch of consecutive counters.
 *
 * The numbers are exactly those of Random123's philox4x32_R(10, ctr, key) (tests/test_micro.c
 * checks it); the loop is written so that the compiler vectorises it across counters, and on
 * x86-64 GCC builds clones of it for AVX-512 and AVX2 chosen at load time. Integer
 * arithmetic only, so every clone gives the same bits.
 */
#include "micro/micro_int.h"

#include "core/philox_int.h" /* the rounds, shared with engine/traj.c */

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) &&                             \
    !defined(__SANITIZE_ADDRESS__)
#define PS_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PS_MULTIVERSION
#endif

PS_MULTIVERSION
void ps_micro__philox_batch(uint32_t *out, size_t n, uint32_t first, uint32_t c1, uint32_t c2,
                            uint32_t c3, const uint32_t key[2])
{
    uint32_t *restrict o0 = out, *restrict o1 = out + n, *restrict o2 = out + 2 * n,
                       *restrict o3 = out + 3 * n;
    const uint32_t k0 = key[0], k1 = key[1];
    for (size_t i = 0; i < n; ++i) {
        const ps_philox4x32 v =
            ps_philox__rounds((ps_philox4x32){ first + (uint32_t)i, c1, c2, c3 }, k0, k1);
        o0[i] = v.x0;
        o1[i] = v.x1;
        o2[i] = v.x2;
        o3[i] = v.x3;
    }
}
