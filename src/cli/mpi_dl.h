/*
 * mpi_dl.h - the MPI names popsim's MPI driver uses (run_mpi.c, run_prob_mpi.c), served by
 * the popsim-mpi plugin that cli_mpi_load loaded (issue #18, start-up; mpi_ops.h): the
 * program is not linked with libmpi. Include this instead of <mpi.h> in src/cli; a function
 * or handle missing here goes into mpi_ops.h's table and src/cli/mpi/plugin.c.
 */
#ifndef PS_CLI_MPI_DL_H
#define PS_CLI_MPI_DL_H

#include "mpi_ops.h"

/* The loaded plugin's table, or NULL when no plugin is loaded (a serial run). */
const cli_mpi_ops *cli_mpi_ops_get(void);

/* The table; a call without a loaded plugin is a programmer error (aborts with a message). */
const cli_mpi_ops *cli_mpi_ops_need(void);

/* Load the plugin (once; RTLD_GLOBAL so that libmpi's own components find its symbols):
 * POPSIM_MPI_PLUGIN if set, else popsim-mpi.so beside the program, else in the installed
 * layout (PS_MPI_PLUGIN_DIR relative to the program's folder). 0, or -1 after printing why
 * it could not be loaded. */
int cli_mpi_load(void);

typedef int MPI_Comm;
typedef int MPI_Datatype;
typedef int MPI_Op;
typedef cli_mpi_status MPI_Status;

#define MPI_SUCCESS 0
#define MPI_COMM_WORLD CLI_MPI_COMM_WORLD
#define MPI_COMM_SELF CLI_MPI_COMM_SELF
#define MPI_STATUS_IGNORE ((MPI_Status *)0)
#define MPI_ANY_SOURCE CLI_MPI_ANY_SOURCE
#define MPI_ANY_TAG CLI_MPI_ANY_TAG
#define MPI_IN_PLACE CLI_MPI_IN_PLACE
#define MPI_THREAD_SINGLE CLI_MPI_THREAD_SINGLE
#define MPI_THREAD_FUNNELED CLI_MPI_THREAD_FUNNELED
#define MPI_THREAD_SERIALIZED CLI_MPI_THREAD_SERIALIZED
#define MPI_THREAD_MULTIPLE CLI_MPI_THREAD_MULTIPLE
#define MPI_CHAR CLI_MPI_CHAR
#define MPI_SIGNED_CHAR CLI_MPI_SIGNED_CHAR
#define MPI_UNSIGNED_CHAR CLI_MPI_UNSIGNED_CHAR
#define MPI_BYTE CLI_MPI_BYTE
#define MPI_SHORT CLI_MPI_SHORT
#define MPI_INT CLI_MPI_INT
#define MPI_UNSIGNED CLI_MPI_UNSIGNED
#define MPI_LONG CLI_MPI_LONG
#define MPI_UNSIGNED_LONG CLI_MPI_UNSIGNED_LONG
#define MPI_LONG_LONG CLI_MPI_LONG_LONG
#define MPI_UNSIGNED_LONG_LONG CLI_MPI_UNSIGNED_LONG_LONG
#define MPI_FLOAT CLI_MPI_FLOAT
#define MPI_DOUBLE CLI_MPI_DOUBLE
#define MPI_INT8_T CLI_MPI_INT8_T
#define MPI_UINT8_T CLI_MPI_UINT8_T
#define MPI_INT32_T CLI_MPI_INT32_T
#define MPI_UINT32_T CLI_MPI_UINT32_T
#define MPI_INT64_T CLI_MPI_INT64_T
#define MPI_UINT64_T CLI_MPI_UINT64_T
#define MPI_MAX CLI_MPI_MAX
#define MPI_MIN CLI_MPI_MIN
#define MPI_SUM CLI_MPI_SUM
#define MPI_PROD CLI_MPI_PROD
#define MPI_LAND CLI_MPI_LAND
#define MPI_LOR CLI_MPI_LOR
#define MPI_BAND CLI_MPI_BAND
#define MPI_BOR CLI_MPI_BOR

static inline int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
{
    (void)argc; /* the plugin passes NULL, NULL: popsim parses its own arguments */
    (void)argv;
    return cli_mpi_ops_need()->init_thread(required, provided);
}

static inline int MPI_Initialized(int *flag)
{
    const cli_mpi_ops *ops = cli_mpi_ops_get();
    *flag = 0;
    return ops != NULL ? ops->initialized(flag) : MPI_SUCCESS;
}

static inline int MPI_Finalized(int *flag)
{
    const cli_mpi_ops *ops = cli_mpi_ops_get();
    *flag = 0;
    return ops != NULL ? ops->finalized(flag) : MPI_SUCCESS;
}

static inline int MPI_Finalize(void) { return cli_mpi_ops_need()->finalize(); }
static inline int MPI_Abort(MPI_Comm comm, int code) { return cli_mpi_ops_need()->abort(comm, code); }
static inline int MPI_Barrier(MPI_Comm comm) { return cli_mpi_ops_need()->barrier(comm); }
static inline double MPI_Wtime(void) { return cli_mpi_ops_need()->wtime(); }

static inline int MPI_Comm_rank(MPI_Comm comm, int *rank)
{
    return cli_mpi_ops_need()->comm_rank(comm, rank);
}

static inline int MPI_Comm_size(MPI_Comm comm, int *size)
{
    return cli_mpi_ops_need()->comm_size(comm, size);
}

static inline int MPI_Bcast(void *buf, int count, MPI_Datatype type, int root, MPI_Comm comm)
{
    return cli_mpi_ops_need()->bcast(buf, count, type, root, comm);
}

static inline int MPI_Send(const void *buf, int count, MPI_Datatype type, int dest, int tag,
                           MPI_Comm comm)
{
    return cli_mpi_ops_need()->send(buf, count, type, dest, tag, comm);
}

static inline int MPI_Recv(void *buf, int count, MPI_Datatype type, int source, int tag,
                           MPI_Comm comm, MPI_Status *status)
{
    return cli_mpi_ops_need()->recv(buf, count, type, source, tag, comm, status);
}

static inline int MPI_Reduce(const void *send, void *recv, int count, MPI_Datatype type,
                             MPI_Op op, int root, MPI_Comm comm)
{
    return cli_mpi_ops_need()->reduce(send, recv, count, type, op, root, comm);
}

static inline int MPI_Allreduce(const void *send, void *recv, int count, MPI_Datatype type,
                                MPI_Op op, MPI_Comm comm)
{
    return cli_mpi_ops_need()->allreduce(send, recv, count, type, op, comm);
}

static inline int MPI_Gather(const void *send, int send_count, MPI_Datatype send_type,
                             void *recv, int recv_count, MPI_Datatype recv_type, int root,
                             MPI_Comm comm)
{
    return cli_mpi_ops_need()->gather(send, send_count, send_type, recv, recv_count, recv_type,
                                      root, comm);
}

static inline int MPI_Gatherv(const void *send, int send_count, MPI_Datatype send_type,
                              void *recv, const int *recv_counts, const int *displs,
                              MPI_Datatype recv_type, int root, MPI_Comm comm)
{
    return cli_mpi_ops_need()->gatherv(send, send_count, send_type, recv, recv_counts, displs,
                                       recv_type, root, comm);
}

static inline int MPI_Allgather(const void *send, int send_count, MPI_Datatype send_type,
                                void *recv, int recv_count, MPI_Datatype recv_type,
                                MPI_Comm comm)
{
    return cli_mpi_ops_need()->allgather(send, send_count, send_type, recv, recv_count,
                                         recv_type, comm);
}

static inline int MPI_Allgatherv(const void *send, int send_count, MPI_Datatype send_type,
                                 void *recv, const int *recv_counts, const int *displs,
                                 MPI_Datatype recv_type, MPI_Comm comm)
{
    return cli_mpi_ops_need()->allgatherv(send, send_count, send_type, recv, recv_counts,
                                          displs, recv_type, comm);
}

static inline int MPI_Scatterv(const void *send, const int *send_counts, const int *displs,
                               MPI_Datatype send_type, void *recv, int recv_count,
                               MPI_Datatype recv_type, int root, MPI_Comm comm)
{
    return cli_mpi_ops_need()->scatterv(send, send_counts, displs, send_type, recv, recv_count,
                                        recv_type, root, comm);
}

static inline int MPI_Alltoall(const void *send, int send_count, MPI_Datatype send_type,
                               void *recv, int recv_count, MPI_Datatype recv_type, MPI_Comm comm)
{
    return cli_mpi_ops_need()->alltoall(send, send_count, send_type, recv, recv_count,
                                        recv_type, comm);
}

static inline int MPI_Alltoallv(const void *send, const int *send_counts,
                                const int *send_displs, MPI_Datatype send_type, void *recv,
                                const int *recv_counts, const int *recv_displs,
                                MPI_Datatype recv_type, MPI_Comm comm)
{
    return cli_mpi_ops_need()->alltoallv(send, send_counts, send_displs, send_type, recv,
                                         recv_counts, recv_displs, recv_type, comm);
}

#endif /* PS_CLI_MPI_DL_H */
