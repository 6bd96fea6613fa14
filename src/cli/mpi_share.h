/*
 * mpi_share.h - one rank's share of a gather to rank 0 (issue #15, docs/hpc.md): a rank sends
 * its share's bytes or, when it could not make them, why (its formatted error); rank 0
 * receives each rank's share in turn, or that rank's failure with its rank and message. Every
 * gather to rank 0 goes through it (run_mpi.c: units; run_prob_mpi.c: trajectory blocks and
 * location statistics; run_scn_prob_mpi.c: services and policy values). Bytes are copied bit
 * for bit in native byte order: the ranks of one job run one binary (cli_mpi_start).
 */
#ifndef PS_CLI_MPI_SHARE_H
#define PS_CLI_MPI_SHARE_H

#include <stddef.h>

#include "popsim/error.h"

/* A receive buffer that grows to the largest share received; reuse it across shares. */
typedef struct cli_share {
    unsigned char *bytes; /* owned; the last share received, len bytes */
    size_t len, cap;      /* bytes held, bytes allocated */
} cli_share;

#define CLI_SHARE_INIT { .bytes = NULL, .len = 0, .cap = 0 }

/**
 * Send this rank's share to rank 0: the `len` bytes at `bytes` if rc is PS_OK, else rc and
 * err's message instead (`bytes` is then not read). Each share that rank 0 will receive must
 * be sent, made or not, so that neither side waits for a message that never comes. Under MPI
 * only, from a rank other than 0.
 */
void cli_share_send(const void *bytes, size_t len, ps_status rc, const ps_error *err);

/**
 * Rank 0: receive the next share of rank `from` into s->bytes (s->len bytes). `rc` is the
 * gather's status so far: after a failure the share is still received, so that the sender is
 * not left waiting, and rc is returned. `what` names the share in a message ("unit 3").
 * @return rc if it was not PS_OK; the sender's status with "rank R could not send WHAT:
 *         its message" if the sender failed; PS_ENOMEM if s cannot hold the share; PS_OK
 */
ps_status cli_share_recv(cli_share *s, int from, const char *what, ps_status rc, ps_error *err);

/* Free s->bytes; s is empty again. */
void cli_share_release(cli_share *s);

#endif /* PS_CLI_MPI_SHARE_H */
