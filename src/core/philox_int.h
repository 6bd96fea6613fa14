/*
 * philox_int.h - the rounds of Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011, "Parallel
 * random numbers: as easy as 1, 2, 3", SC'11; Random123's philox4x32_R(10, ctr, key)), shared
 * by the probabilistic projection's normals (engine/traj.c) and the microsimulation's batches
 * (micro/rng.c). Integer arithmetic only, so every compiler and vector width gives the same
 * bits; static inline so that micro/rng.c's loop over counters still vectorises.
 */
#ifndef PS_CORE_PHILOX_INT_H
#define PS_CORE_PHILOX_INT_H

#include <stdint.h>

/* Random123's Philox4x32 multipliers and Weyl key increments (philox.h). */
#define PS_PHILOX_M0 0xD2511F53u
#define PS_PHILOX_M1 0xCD9E8D57u
#define PS_PHILOX_W0 0x9E3779B9u
#define PS_PHILOX_W1 0xBB67AE85u
#define PS_PHILOX_ROUNDS 10

/* Four 32-bit words: a counter in, the random words out. */
typedef struct ps_philox4x32 {
    uint32_t x0, x1, x2, x3;
} ps_philox4x32;

/* The PS_PHILOX_ROUNDS rounds on counter v under the key (a, b). */
static inline ps_philox4x32 ps_philox__rounds(ps_philox4x32 v, uint32_t a, uint32_t b)
{
    for (int r = 0; r < PS_PHILOX_ROUNDS; ++r) {
        const uint64_t p0 = (uint64_t)v.x0 * PS_PHILOX_M0, p1 = (uint64_t)v.x2 * PS_PHILOX_M1;
        const uint32_t y0 = (uint32_t)(p1 >> 32) ^ v.x1 ^ a;
        const uint32_t y2 = (uint32_t)(p0 >> 32) ^ v.x3 ^ b;
        v.x1 = (uint32_t)p1;
        v.x3 = (uint32_t)p0;
        v.x0 = y0;
        v.x2 = y2;
        a += PS_PHILOX_W0;
        b += PS_PHILOX_W1;
    }
    return v;
}

#endif /* PS_CORE_PHILOX_INT_H */
