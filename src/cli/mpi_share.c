/*
 * mpi_share.c - a share's bytes or the reason they could not be made, from any rank to rank
 * 0 (mpi_share.h). On the wire: a header of two uint64 (the length, or SHARE_FAILED, and the
 * sender's ps_status as a non-negative number), then either the bytes in pieces below MPI's
 * int counts or the sender's formatted error (at most ERROR_TEXT bytes, NUL included). One
 * tag carries them all: MPI keeps the order of the messages between two ranks on one tag, and
 * the gathers of a run follow one another. Without MPI (PS_HAVE_MPI undefined) the functions
 * are never called with more than one rank and do nothing. POPSIM_TEST_SHARE_FAIL=RANK (tests
 * only) makes rank RANK send failures instead of its shares.
 */
#include "mpi_share.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_share_release(cli_share *s)
{
    free(s->bytes);
    s->bytes = NULL;
    s->len = 0;
    s->cap = 0;
}

#ifdef PS_HAVE_MPI
#include "mpi_dl.h" /* MPI through the popsim-mpi plugin */

#define TAG_SHARE 31
#define PIECE_BYTES ((size_t)1 << 30) /* bytes per message, below MPI's int counts */
#define ERROR_TEXT 2048               /* bytes of a sender's formatted error */
static const uint64_t SHARE_FAILED = UINT64_MAX;

/* POPSIM_TEST_SHARE_FAIL names this rank (tests only). */
static int test_fail_here(void)
{
    const char *v = getenv("POPSIM_TEST_SHARE_FAIL");
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return v != NULL && v[0] != '\0' && atoi(v) == rank;
}

void cli_share_send(const void *bytes, size_t len, ps_status rc, const ps_error *err)
{
    ps_error made;
    if (rc == PS_OK && test_fail_here()) {
        rc = ps_error_set(&made, PS_ENOMEM, "out of memory for %zu bytes (made to fail for a "
                          "test: POPSIM_TEST_SHARE_FAIL)", len);
        err = &made;
    }
    uint64_t head[2] = { rc == PS_OK ? (uint64_t)len : SHARE_FAILED,
                         (uint64_t)(rc < 0 ? -(int)rc : (int)rc) };
    MPI_Send(head, 2, MPI_UINT64_T, 0, TAG_SHARE, MPI_COMM_WORLD);
    if (rc != PS_OK) {
        char text[ERROR_TEXT] = "";
        if (err != NULL) {
            ps_error_format(err, text, sizeof text);
        }
        MPI_Send(text, (int)strlen(text) + 1, MPI_CHAR, 0, TAG_SHARE, MPI_COMM_WORLD);
        return;
    }
    for (size_t at = 0; at < len; at += PIECE_BYTES) {
        const size_t piece = len - at < PIECE_BYTES ? len - at : PIECE_BYTES;
        MPI_Send((const unsigned char *)bytes + at, (int)piece, MPI_BYTE, 0, TAG_SHARE,
                 MPI_COMM_WORLD);
    }
}

/* Receive and drop n bytes from `from` when s cannot hold them: piece by piece into a
 * smaller buffer; if even that fails, the job cannot follow its protocol and is aborted. */
static void drain(uint64_t n, int from)
{
    const size_t first = n < PIECE_BYTES ? (size_t)n : PIECE_BYTES;
    unsigned char *sink = malloc(first + 1);
    if (sink == NULL) {
        fprintf(stderr, "popsim: rank 0: error: out of memory for %llu bytes from rank %d\n",
                (unsigned long long)n, from);
        MPI_Abort(MPI_COMM_WORLD, 1);
        return;
    }
    for (uint64_t at = 0; at < n; at += PIECE_BYTES) {
        const int piece = (int)(n - at < PIECE_BYTES ? n - at : PIECE_BYTES);
        MPI_Recv(sink, piece, MPI_BYTE, from, TAG_SHARE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    free(sink);
}

ps_status cli_share_recv(cli_share *s, int from, const char *what, ps_status rc, ps_error *err)
{
    uint64_t head[2] = { 0, 0 };
    MPI_Recv(head, 2, MPI_UINT64_T, from, TAG_SHARE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    s->len = 0;
    if (head[0] == SHARE_FAILED) {
        char text[ERROR_TEXT];
        MPI_Recv(text, ERROR_TEXT, MPI_CHAR, from, TAG_SHARE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        text[ERROR_TEXT - 1] = '\0';
        const ps_status code = head[1] > 0 && head[1] <= INT_MAX ? (ps_status)(-(int)head[1])
                                                                 : PS_EIO;
        return rc != PS_OK ? rc
                           : ps_error_set(err, code, "rank %d could not send %s: %s", from,
                                          what, text);
    }
    const uint64_t n = head[0];
    if (n >= (uint64_t)SIZE_MAX) {
        drain(n, from);
        return rc != PS_OK ? rc : ps_error_set(err, PS_ENOMEM, "%s from rank %d: %llu bytes "
                                               "do not fit in memory", what, from,
                                               (unsigned long long)n);
    }
    if ((size_t)n + 1 > s->cap) {
        unsigned char *b = realloc(s->bytes, (size_t)n + 1);
        if (b == NULL) {
            drain(n, from);
            return rc != PS_OK ? rc : ps_error_set(err, PS_ENOMEM, "out of memory for %s "
                                                   "(%llu bytes) from rank %d", what,
                                                   (unsigned long long)n, from);
        }
        s->bytes = b;
        s->cap = (size_t)n + 1;
    }
    for (uint64_t at = 0; at < n; at += PIECE_BYTES) {
        const int piece = (int)(n - at < PIECE_BYTES ? n - at : PIECE_BYTES);
        MPI_Recv(s->bytes + at, piece, MPI_BYTE, from, TAG_SHARE, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    }
    s->len = (size_t)n;
    return rc;
}

#else /* no MPI: never more than one rank, so nothing is sent */

void cli_share_send(const void *bytes, size_t len, ps_status rc, const ps_error *err)
{
    (void)bytes;
    (void)len;
    (void)rc;
    (void)err;
}

ps_status cli_share_recv(cli_share *s, int from, const char *what, ps_status rc, ps_error *err)
{
    (void)from;
    (void)what;
    (void)err;
    s->len = 0;
    return rc;
}

#endif
