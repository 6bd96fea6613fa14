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

/* Random123's Philox4x32 multipliers and Weyl key increments (philox.h). */
#define PS_PHILOX_M0 0xD2511F53u
#define PS_PHILOX_M1 0xCD9E8D57u
#define PS_PHILOX_W0 0x9E3779B9u
#define PS_PHILOX_W1 0xBB67AE85u
#define PS_PHILOX_ROUNDS 10

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
        uint32_t x0 = first + (uint32_t)i, x1 = c1, x2 = c2, x3 = c3, a = k0, b = k1;
        for (int r = 0; r < PS_PHILOX_ROUNDS; ++r) {
            const uint64_t p0 = (uint64_t)x0 * PS_PHILOX_M0, p1 = (uint64_t)x2 * PS_PHILOX_M1;
            const uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1 ^ a;
            const uint32_t y2 = (uint32_t)(p0 >> 32) ^ x3 ^ b;
            x1 = (uint32_t)p1;
            x3 = (uint32_t)p0;
            x0 = y0;
            x2 = y2;
            a += PS_PHILOX_W0;
            b += PS_PHILOX_W1;
        }
        o0[i] = x0;
        o1[i] = x1;
        o2[i] = x2;
        o3[i] = x3;
    }
}
