/*
 * popsim/sha256.h - SHA-256 (FIPS 180-4) of a byte buffer, for provenance: a result file
 * records the hash of the scenario that produced it.
 */
#ifndef PS_SHA256_H
#define PS_SHA256_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Write the lowercase hex digest of data[0..n-1] and a NUL into hex_out (65 bytes). */
void ps_sha256_hex(char hex_out[65], const void *data, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* PS_SHA256_H */
