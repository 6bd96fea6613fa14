/*
 * split.c - one microsimulation whose persons are split across processes (issue #15,
 * docs/hpc.md, docs/model.md sec. 10). The id space stays global: process r owns the blocks
 * of PS_MICRO_SPLIT_BLOCK_IDS ids whose index is r modulo the number of processes, builds and
 * steps only those persons, and leaves the pages of the others untouched (the person arrays
 * are anonymous mappings, so untouched pages cost no memory). Every draw depends on
 * (person id, step, stream) only, so a person's events are those of one process. What links
 * persons goes through the ps_micro_comm hooks:
 *   - tallies are integers, summed over the processes (exact in any order), so every process
 *     holds the population of one process and derives the same rates from it;
 *   - newborn ids: the per-chunk newborn counts are summed before the prefix sum, so each
 *     mother's children get the ids of one process; a child lives on the process owning its
 *     id, which receives its record from the mother's process;
 *   - kin: a working-age child whose mother another process owns asks that process (its
 *     disabled elderly are known to all: dis_all) to mark her if she lives in its region.
 * Internal migration needs nothing more: the region is a field of the record.
 * Failure: every collective is preceded by an agreement on status (ps_micro__split_agree), and
 * a process that fails elsewhere agrees once on its way out (ps_micro_split_end), so a process
 * that fails mid-step (out of memory, say) makes every process leave the step with an error
 * naming it, instead of leaving the others waiting in a collective it never calls.
 */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "micro/micro_int.h"

static ps_status hook_failed(const char *what, ps_error *err)
{
    return ps_error_set(err, PS_EIO,
                        "the %s between the processes of the microsimulation failed "
                        "(persons split across MPI ranks)",
                        what);
}

/* Grow *p to at least `need` bytes (kept on failure). */
static ps_status grow(void **p, size_t *cap, size_t need, ps_error *err)
{
    if (need <= *cap) {
        return PS_OK;
    }
    void *q = realloc(*p, need);
    if (q == NULL) {
        return ps_error_set(err, PS_ENOMEM,
                            "out of memory for %zu bytes exchanged between the "
                            "processes of the microsimulation",
                            need);
    }
    *p = q;
    *cap = need;
    return PS_OK;
}

static int hooks_valid(const ps_micro_comm *c)
{
    return c->rank >= 0 && c->rank < c->n_ranks && c->sum_i64 != NULL && c->or_u64 != NULL &&
           c->exchange != NULL && c->agree != NULL;
}

ps_status ps_micro__split_init(ps_micro *m, ps_error *err)
{
    const ps_micro_comm *c = m->comm;
    m->rank = 0;
    m->n_ranks = 1;
    if (c == NULL || c->n_ranks <= 1) {
        return PS_OK;
    }
    if (!hooks_valid(c)) {
        return ps_error_set(err, PS_EINVAL,
                            "persons split across %d processes need rank in [0, %d) "
                            "(here %d) and every collective hook",
                            c->n_ranks, c->n_ranks, c->rank);
    }
    m->rank = c->rank;
    m->n_ranks = c->n_ranks;
    m->xbytes = calloc(2 * (size_t)c->n_ranks, sizeof *m->xbytes);
    if (m->xbytes == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the process exchange");
    }
    return PS_OK;
}

ps_status ps_micro__split_agree(const ps_micro_comm *c, int *agreed, ps_status rc,
                                ps_error *err)
{
    if (c == NULL || c->n_ranks <= 1 || !hooks_valid(c)) { /* refused by split_init */
        return rc;
    }
    if (*agreed) { /* every process knows already: no more collectives */
        return rc != PS_OK ? rc
                           : ps_error_set(err, PS_EIO, "another process of the microsimulation "
                                          "failed");
    }
    const int failed = c->agree(c->ctx, rc != PS_OK);
    if (failed < 0) {
        return rc;
    }
    *agreed = 1;
    return rc != PS_OK ? rc
                       : ps_error_set(err, PS_EIO,
                                      "process %d of the %d processes of the microsimulation "
                                      "failed, so this one stopped too (persons split across "
                                      "MPI ranks)",
                                      failed, c->n_ranks);
}

ps_status ps_micro_split_end(ps_micro *m, ps_status rc, ps_error *err)
{
    if (m == NULL || m->n_ranks <= 1) {
        return rc;
    }
    return ps_micro__split_agree(m->comm, &m->split_failed, rc, err);
}

/* Agree before a collective; PS_OK if every process may call it. */
static ps_status agree(ps_micro *m, ps_status rc, ps_error *err)
{
    return ps_micro__split_agree(m->comm, &m->split_failed, rc, err);
}

void ps_micro__split_free(ps_micro *m)
{
    free(m->xbytes);
    free(m->sbuf);
    free(m->rbuf);
    free(m->nb_out);
    free(m->dis_all);
    free(m->req_bits);
}

ps_status ps_micro__split_sum(ps_micro *m, int64_t *buf, size_t n, ps_error *err)
{
    if (m->n_ranks <= 1 || n == 0) {
        return PS_OK;
    }
    ps_status rc = agree(m, PS_OK, err);
    if (rc != PS_OK) {
        return rc;
    }
    return m->comm->sum_i64(m->comm->ctx, buf, n) == 0 ? PS_OK : hook_failed("sum", err);
}

void ps_micro__split_zero_counts(ps_micro *m)
{
    if (m->n_ranks > 1) {
        const size_t n_chunks = (m->n + PS_MICRO_CHUNK - 1) / PS_MICRO_CHUNK;
        memset(m->chunk_count, 0, (n_chunks + 1) * sizeof *m->chunk_count);
    }
}

/*
 * Send m->sbuf, which holds count[r] items of `size` bytes for each process r in rank order;
 * on return m->rbuf holds the *n_recv items the processes sent here, in rank order. rc is
 * this process's status in preparing the exchange (count and m->sbuf are not read unless it
 * is PS_OK): the processes agree on it first, and again after the receive buffer has grown.
 */
static ps_status exchange(ps_micro *m, ps_status rc, const size_t *count, size_t size,
                          size_t *n_recv, ps_error *err)
{
    const size_t N = (size_t)m->n_ranks;
    uint64_t *sent = m->xbytes, *got = m->xbytes + N;
    size_t total = 0;
    *n_recv = 0;
    if ((rc = agree(m, rc, err)) != PS_OK) {
        return rc;
    }
    for (size_t r = 0; r < N; ++r) {
        sent[r] = (uint64_t)(count[r] * size);
    }
    if (m->comm->exchange(m->comm->ctx, NULL, sent, NULL, got) != 0) {
        return hook_failed("exchange of sizes", err);
    }
    for (size_t r = 0; r < N; ++r) {
        total += (size_t)got[r];
    }
    rc = agree(m, grow(&m->rbuf, &m->rbuf_cap, total + 1, err), err);
    if (rc == PS_OK && m->comm->exchange(m->comm->ctx, m->sbuf, sent, m->rbuf, got) != 0) {
        rc = hook_failed("exchange of persons", err);
    }
    *n_recv = total / size;
    return rc;
}

/* ---- newborns --------------------------------------------------------------------------- */

ps_status ps_micro__split_newborns_reserve(ps_micro *m, size_t total, ps_error *err)
{
    if (m->n_ranks <= 1) {
        return PS_OK;
    }
    return grow((void **)&m->nb_out, &m->nb_cap, (total + 1) * sizeof *m->nb_out, err);
}

/* Calls fn(m, id, ctx) for each newborn id of this process's mothers that another process
 * owns, in id order. */
typedef void (*newborn_fn)(ps_micro *m, size_t id, void *ctx);
static void each_outgoing(ps_micro *m, newborn_fn fn, void *ctx)
{
    const size_t n_chunks = (m->n + PS_MICRO_CHUNK - 1) / PS_MICRO_CHUNK;
    for (size_t c = 0; c < n_chunks; ++c) {
        if (!ps_micro__owns_chunk(m, c)) {
            continue;
        }
        const size_t lo = m->n + (size_t)m->chunk_count[c], hi = m->n + (size_t)m->chunk_count[c + 1];
        for (size_t id = lo; id < hi; ++id) {
            if (!ps_micro__owns_id(m, id)) {
                fn(m, id, ctx);
            }
        }
    }
}

static void count_outgoing(ps_micro *m, size_t id, void *ctx)
{
    size_t *count = ctx;
    count[ps_micro__owner(m, id)] += 1;
}

static void pack_outgoing(ps_micro *m, size_t id, void *ctx)
{
    size_t *at = ctx;
    ps_micro_newborn *out = m->sbuf;
    out[at[ps_micro__owner(m, id)]++] = m->nb_out[id - m->n];
}

static void write_newborn(ps_micro *m, const ps_micro_newborn *b)
{
    const size_t id = b->id;
    m->age[id] = 0;
    m->ychild[id] = PS_MICRO_AGE_NONE;
    m->mage[id] = b->mage;
    m->scratch[id] = 0;
    m->region[id] = b->region;
    m->flags[id] = b->flags;
    m->mother[id] = b->mother;
    m->alive_bits[id / PS_MICRO_WORD_BITS] |= (uint64_t)1 << (id % PS_MICRO_WORD_BITS);
}

ps_status ps_micro__split_newborns(ps_micro *m, ps_error *err)
{
    if (m->n_ranks <= 1) {
        return PS_OK;
    }
    const size_t N = (size_t)m->n_ranks;
    size_t *count = calloc(2 * N, sizeof *count), n_recv = 0, items = 0;
    ps_status rc = count != NULL ? PS_OK
                                 : ps_error_set(err, PS_ENOMEM, "out of memory for the exchange");
    if (rc == PS_OK) {
        each_outgoing(m, count_outgoing, count);
        for (size_t r = 0; r < N; ++r) {
            count[N + r] = items; /* where process r's records start */
            items += count[r];
        }
        rc = grow(&m->sbuf, &m->sbuf_cap, (items + 1) * sizeof(ps_micro_newborn), err);
    }
    if (rc == PS_OK) {
        each_outgoing(m, pack_outgoing, count + N);
    }
    if (rc == PS_OK && m->comm->test_fail_step == m->step + 1) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the newborns exchanged between "
                          "the processes of the microsimulation in step %d (made to fail "
                          "for a test: ps_micro_comm.test_fail_step)", m->step + 1);
    }
    /* A process out of memory here still takes part in the agreement that opens the
     * exchange, so that every process leaves the step (#15). */
    rc = exchange(m, rc, count, sizeof(ps_micro_newborn), &n_recv, err);
    const ps_micro_newborn *in = m->rbuf;
    for (size_t k = 0; rc == PS_OK && k < n_recv; ++k) {
        ps_micro_newborn b;
        memcpy(&b, &in[k], sizeof b);
        write_newborn(m, &b);
    }
    free(count);
    return rc;
}

/* ---- kin -------------------------------------------------------------------------------- */

ps_status ps_micro__split_kin_begin(ps_micro *m, ps_error *err)
{
    if (m->n_ranks <= 1) {
        return PS_OK;
    }
    const size_t words = m->n / PS_MICRO_WORD_BITS + 1;
    ps_status rc = grow((void **)&m->dis_all, &m->dis_all_cap, words * sizeof *m->dis_all, err);
    if (rc == PS_OK) {
        rc = grow((void **)&m->req_bits, &m->req_bits_cap, words * sizeof *m->req_bits, err);
    }
    if ((rc = agree(m, rc, err)) != PS_OK) {
        return rc;
    }
    memcpy(m->dis_all, m->dis_bits, words * sizeof *m->dis_all);
    if (m->comm->or_u64(m->comm->ctx, m->dis_all, words) != 0) {
        return hook_failed("bitwise or", err);
    }
    ps_micro__split_zero_counts(m);
    return PS_OK;
}

/* A request: the mother's id (high 32 bits) and the child's region (low 16 bits). */
#define REQ_SHIFT 16
#define REQ_REGION 0xffffu

/* The requests of chunk c's children (req_bits of the marking pass) at offset
 * chunk_count[c]. */
static void request_chunk(const ps_micro *m, size_t c, uint64_t *req)
{
    const size_t lo = c * PS_MICRO_CHUNK, hi = ps_micro__chunk_end(m, lo);
    size_t at = (size_t)m->chunk_count[c];
    if (m->chunk_count[c + 1] == m->chunk_count[c]) {
        return;
    }
    for (size_t wd = lo / PS_MICRO_WORD_BITS; wd * PS_MICRO_WORD_BITS < hi; ++wd) {
        for (uint64_t bits = m->req_bits[wd]; bits != 0; bits &= bits - 1) {
            const size_t i = wd * PS_MICRO_WORD_BITS + ps_micro__lowest_bit(bits);
            req[at++] = ((uint64_t)m->mother[i] << REQ_SHIFT) | m->region[i];
        }
    }
}

/* The marking pass counted each chunk's requests in chunk_count: lay them out, write them
 * (in parallel), sort them by the owning process, exchange, and mark the mothers here. */
ps_status ps_micro__split_kin_end(ps_micro *m, ps_error *err)
{
    if (m->n_ranks <= 1) {
        return PS_OK;
    }
    const size_t N = (size_t)m->n_ranks, n_chunks = (m->n + PS_MICRO_CHUNK - 1) / PS_MICRO_CHUNK;
    int64_t total = 0;
    for (size_t c = 0; c < n_chunks; ++c) {
        const int64_t k = m->chunk_count[c];
        m->chunk_count[c] = total;
        total += k;
    }
    m->chunk_count[n_chunks] = total;
    size_t *count = calloc(2 * N, sizeof *count), n_recv = 0;
    uint64_t *req = malloc(((size_t)total + 1) * sizeof *req);
    ps_status rc = count != NULL && req != NULL
                       ? grow(&m->sbuf, &m->sbuf_cap, ((size_t)total + 1) * sizeof *req, err)
                       : ps_error_set(err, PS_ENOMEM, "out of memory for the kin requests");
    if (rc == PS_OK) {
        const ps_micro *cm = m;
        const long nc = (long)n_chunks;
#pragma omp parallel for num_threads(cm->n_threads) default(none) shared(cm, nc, req)          \
    schedule(dynamic, PS_MICRO_CHUNKS_PER_GRAB)
        for (long c = 0; c < nc; ++c) {
            if (ps_micro__owns_chunk(cm, (size_t)c)) {
                request_chunk(cm, (size_t)c, req);
            }
        }
        for (int64_t k = 0; k < total; ++k) { /* a counting sort by the owning process */
            count[ps_micro__owner(m, req[k] >> REQ_SHIFT)] += 1;
        }
        for (size_t r = 0, at = 0; r < N; ++r) {
            count[N + r] = at;
            at += count[r];
        }
        uint64_t *out = m->sbuf;
        for (int64_t k = 0; k < total; ++k) {
            out[count[N + (size_t)ps_micro__owner(m, req[k] >> REQ_SHIFT)]++] = req[k];
        }
    }
    rc = exchange(m, rc, count, sizeof *req, &n_recv, err); /* agreed first, whatever rc */
    const uint64_t *in = m->rbuf;
    for (size_t k = 0; rc == PS_OK && k < n_recv; ++k) {
        uint64_t q;
        memcpy(&q, &in[k], sizeof q);
        const size_t mo = (size_t)(q >> REQ_SHIFT);
        const unsigned reg = (unsigned)(q & REQ_REGION);
        if (((m->dis_bits[mo / PS_MICRO_WORD_BITS] >> (mo % PS_MICRO_WORD_BITS)) & 1u) &&
            m->region[mo] == reg) {
            m->scratch[mo] = 1;
        }
    }
    free(count);
    free(req);
    return rc;
}
