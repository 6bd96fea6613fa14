/*
 * plugin.c - popsim-mpi.so, the MPI side of `mpirun -np N popsim run` (issue #18, start-up):
 * the only file that includes <mpi.h> and the only object linked with libmpi. It exports one
 * const table (popsim_mpi_ops, mpi_ops.h) of thin wrappers that map popsim's handles to this
 * MPI's; the program (run_mpi.c, run_prob_mpi.c through mpi_dl.h) loads it with dlopen only
 * when an MPI launcher started it, so a serial run does not load libmpi, libopen-rte,
 * libopen-pal, hwloc and libevent (about a fifth of a serial run's start-up).
 */
#include <mpi.h>

#include "mpi_ops.h"

static MPI_Comm comm_of(int c)
{
    return c == CLI_MPI_COMM_SELF ? MPI_COMM_SELF : MPI_COMM_WORLD;
}

static MPI_Datatype type_of(int t)
{
    switch (t) {
    case CLI_MPI_CHAR: return MPI_CHAR;
    case CLI_MPI_SIGNED_CHAR: return MPI_SIGNED_CHAR;
    case CLI_MPI_UNSIGNED_CHAR: return MPI_UNSIGNED_CHAR;
    case CLI_MPI_BYTE: return MPI_BYTE;
    case CLI_MPI_SHORT: return MPI_SHORT;
    case CLI_MPI_INT: return MPI_INT;
    case CLI_MPI_UNSIGNED: return MPI_UNSIGNED;
    case CLI_MPI_LONG: return MPI_LONG;
    case CLI_MPI_UNSIGNED_LONG: return MPI_UNSIGNED_LONG;
    case CLI_MPI_LONG_LONG: return MPI_LONG_LONG;
    case CLI_MPI_UNSIGNED_LONG_LONG: return MPI_UNSIGNED_LONG_LONG;
    case CLI_MPI_FLOAT: return MPI_FLOAT;
    case CLI_MPI_DOUBLE: return MPI_DOUBLE;
    case CLI_MPI_INT8_T: return MPI_INT8_T;
    case CLI_MPI_UINT8_T: return MPI_UINT8_T;
    case CLI_MPI_INT32_T: return MPI_INT32_T;
    case CLI_MPI_UINT32_T: return MPI_UINT32_T;
    case CLI_MPI_INT64_T: return MPI_INT64_T;
    case CLI_MPI_UINT64_T: return MPI_UINT64_T;
    default: return MPI_DATATYPE_NULL;
    }
}

static MPI_Op op_of(int op)
{
    switch (op) {
    case CLI_MPI_MAX: return MPI_MAX;
    case CLI_MPI_MIN: return MPI_MIN;
    case CLI_MPI_SUM: return MPI_SUM;
    case CLI_MPI_PROD: return MPI_PROD;
    case CLI_MPI_LAND: return MPI_LAND;
    case CLI_MPI_LOR: return MPI_LOR;
    case CLI_MPI_BAND: return MPI_BAND;
    case CLI_MPI_BOR: return MPI_BOR;
    default: return MPI_OP_NULL;
    }
}

static int thread_level(int level)
{
    switch (level) {
    case CLI_MPI_THREAD_SINGLE: return MPI_THREAD_SINGLE;
    case CLI_MPI_THREAD_FUNNELED: return MPI_THREAD_FUNNELED;
    case CLI_MPI_THREAD_SERIALIZED: return MPI_THREAD_SERIALIZED;
    default: return MPI_THREAD_MULTIPLE;
    }
}

static const void *send_buf(const void *buf)
{
    return buf == CLI_MPI_IN_PLACE ? MPI_IN_PLACE : buf;
}

static int p_init_thread(int required, int *provided)
{
    int level = 0;
    const int rc = MPI_Init_thread(NULL, NULL, thread_level(required), &level);
    *provided = level == MPI_THREAD_SINGLE       ? CLI_MPI_THREAD_SINGLE
                : level == MPI_THREAD_FUNNELED   ? CLI_MPI_THREAD_FUNNELED
                : level == MPI_THREAD_SERIALIZED ? CLI_MPI_THREAD_SERIALIZED
                                                 : CLI_MPI_THREAD_MULTIPLE;
    return rc;
}

static int p_initialized(int *flag) { return MPI_Initialized(flag); }
static int p_finalized(int *flag) { return MPI_Finalized(flag); }
static int p_finalize(void) { return MPI_Finalize(); }
static int p_abort(int comm, int code) { return MPI_Abort(comm_of(comm), code); }
static int p_comm_rank(int comm, int *rank) { return MPI_Comm_rank(comm_of(comm), rank); }
static int p_comm_size(int comm, int *size) { return MPI_Comm_size(comm_of(comm), size); }
static int p_barrier(int comm) { return MPI_Barrier(comm_of(comm)); }
static double p_wtime(void) { return MPI_Wtime(); }

static int p_bcast(void *buf, int count, int type, int root, int comm)
{
    return MPI_Bcast(buf, count, type_of(type), root, comm_of(comm));
}

static int p_send(const void *buf, int count, int type, int dest, int tag, int comm)
{
    return MPI_Send(buf, count, type_of(type), dest, tag, comm_of(comm));
}

static int p_recv(void *buf, int count, int type, int source, int tag, int comm,
                  cli_mpi_status *status)
{
    MPI_Status st;
    int bytes = 0;
    const int rc = MPI_Recv(buf, count, type_of(type),
                            source == CLI_MPI_ANY_SOURCE ? MPI_ANY_SOURCE : source,
                            tag == CLI_MPI_ANY_TAG ? MPI_ANY_TAG : tag, comm_of(comm),
                            status != NULL ? &st : MPI_STATUS_IGNORE);
    if (status != NULL) {
        MPI_Get_count(&st, MPI_BYTE, &bytes);
        status->MPI_SOURCE = st.MPI_SOURCE;
        status->MPI_TAG = st.MPI_TAG;
        status->MPI_ERROR = st.MPI_ERROR;
        status->count_bytes = bytes;
    }
    return rc;
}

static int p_reduce(const void *send, void *recv, int count, int type, int op, int root,
                    int comm)
{
    return MPI_Reduce(send_buf(send), recv, count, type_of(type), op_of(op), root,
                      comm_of(comm));
}

static int p_allreduce(const void *send, void *recv, int count, int type, int op, int comm)
{
    return MPI_Allreduce(send_buf(send), recv, count, type_of(type), op_of(op), comm_of(comm));
}

static int p_gather(const void *send, int send_count, int send_type, void *recv, int recv_count,
                    int recv_type, int root, int comm)
{
    return MPI_Gather(send_buf(send), send_count, type_of(send_type), recv, recv_count,
                      type_of(recv_type), root, comm_of(comm));
}

static int p_gatherv(const void *send, int send_count, int send_type, void *recv,
                     const int *recv_counts, const int *displs, int recv_type, int root, int comm)
{
    return MPI_Gatherv(send_buf(send), send_count, type_of(send_type), recv, recv_counts, displs,
                       type_of(recv_type), root, comm_of(comm));
}

static int p_allgather(const void *send, int send_count, int send_type, void *recv,
                       int recv_count, int recv_type, int comm)
{
    return MPI_Allgather(send_buf(send), send_count, type_of(send_type), recv, recv_count,
                         type_of(recv_type), comm_of(comm));
}

static int p_allgatherv(const void *send, int send_count, int send_type, void *recv,
                        const int *recv_counts, const int *displs, int recv_type, int comm)
{
    return MPI_Allgatherv(send_buf(send), send_count, type_of(send_type), recv, recv_counts,
                          displs, type_of(recv_type), comm_of(comm));
}

static int p_scatterv(const void *send, const int *send_counts, const int *displs, int send_type,
                      void *recv, int recv_count, int recv_type, int root, int comm)
{
    return MPI_Scatterv(send, send_counts, displs, type_of(send_type),
                        recv == CLI_MPI_IN_PLACE ? MPI_IN_PLACE : recv, recv_count,
                        type_of(recv_type), root, comm_of(comm));
}

static int p_alltoall(const void *send, int send_count, int send_type, void *recv,
                      int recv_count, int recv_type, int comm)
{
    return MPI_Alltoall(send_buf(send), send_count, type_of(send_type), recv, recv_count,
                        type_of(recv_type), comm_of(comm));
}

static int p_alltoallv(const void *send, const int *send_counts, const int *send_displs,
                       int send_type, void *recv, const int *recv_counts,
                       const int *recv_displs, int recv_type, int comm)
{
    return MPI_Alltoallv(send_buf(send), send_counts, send_displs, type_of(send_type), recv,
                         recv_counts, recv_displs, type_of(recv_type), comm_of(comm));
}

/* The one exported symbol (CLI_MPI_OPS_SYMBOL). */
extern const cli_mpi_ops popsim_mpi_ops;
const cli_mpi_ops popsim_mpi_ops = {
    .init_thread = p_init_thread, .initialized = p_initialized, .finalized = p_finalized,
    .finalize = p_finalize, .abort = p_abort, .comm_rank = p_comm_rank,
    .comm_size = p_comm_size, .barrier = p_barrier, .bcast = p_bcast, .send = p_send,
    .recv = p_recv, .reduce = p_reduce, .allreduce = p_allreduce, .gather = p_gather,
    .gatherv = p_gatherv, .allgather = p_allgather, .allgatherv = p_allgatherv,
    .scatterv = p_scatterv, .alltoall = p_alltoall, .alltoallv = p_alltoallv, .wtime = p_wtime,
};
