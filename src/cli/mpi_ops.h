/*
 * mpi_ops.h - the MPI functions popsim uses, as a table of function pointers (issue #18,
 * start-up): the MPI driver is built into a small plugin (popsim-mpi.so, src/cli/mpi/plugin.c,
 * the only file that includes <mpi.h>) that the program loads with dlopen only when an MPI
 * launcher started it (cli_mpi_load), so a serial run never loads libmpi and its dozen
 * dependencies. Handles are small integers (CLI_MPI_*) that the plugin maps to its MPI's own.
 */
#ifndef PS_CLI_MPI_OPS_H
#define PS_CLI_MPI_OPS_H

/* Communicators, data types and reduction operations, as indices into the plugin's tables. */
enum { CLI_MPI_COMM_WORLD, CLI_MPI_COMM_SELF, CLI_MPI_COMM_COUNT };
enum {
    CLI_MPI_CHAR, CLI_MPI_SIGNED_CHAR, CLI_MPI_UNSIGNED_CHAR, CLI_MPI_BYTE, CLI_MPI_SHORT,
    CLI_MPI_INT, CLI_MPI_UNSIGNED, CLI_MPI_LONG, CLI_MPI_UNSIGNED_LONG, CLI_MPI_LONG_LONG,
    CLI_MPI_UNSIGNED_LONG_LONG, CLI_MPI_FLOAT, CLI_MPI_DOUBLE, CLI_MPI_INT8_T, CLI_MPI_UINT8_T,
    CLI_MPI_INT32_T, CLI_MPI_UINT32_T, CLI_MPI_INT64_T, CLI_MPI_UINT64_T, CLI_MPI_TYPE_COUNT
};
enum {
    CLI_MPI_MAX, CLI_MPI_MIN, CLI_MPI_SUM, CLI_MPI_PROD, CLI_MPI_LAND, CLI_MPI_LOR, CLI_MPI_BAND,
    CLI_MPI_BOR, CLI_MPI_OP_COUNT
};
enum { CLI_MPI_THREAD_SINGLE, CLI_MPI_THREAD_FUNNELED, CLI_MPI_THREAD_SERIALIZED,
       CLI_MPI_THREAD_MULTIPLE };
#define CLI_MPI_ANY_SOURCE (-1)
#define CLI_MPI_ANY_TAG (-1)
#define CLI_MPI_IN_PLACE ((void *)1) /* a send buffer that means "the receive buffer" */

/* What a receive reports (NULL: ignored). */
typedef struct cli_mpi_status {
    int MPI_SOURCE, MPI_TAG, MPI_ERROR; /* as MPI_Status names them */
    int count_bytes; /* bytes received */
} cli_mpi_status;

/* The plugin's table, exported as CLI_MPI_OPS_SYMBOL. Return values are MPI's error codes
 * (0 is success), as MPI's own functions return them. */
typedef struct cli_mpi_ops {
    int (*init_thread)(int required, int *provided);
    int (*initialized)(int *flag);
    int (*finalized)(int *flag);
    int (*finalize)(void);
    int (*abort)(int comm, int code);
    int (*comm_rank)(int comm, int *rank);
    int (*comm_size)(int comm, int *size);
    int (*barrier)(int comm);
    int (*bcast)(void *buf, int count, int type, int root, int comm);
    int (*send)(const void *buf, int count, int type, int dest, int tag, int comm);
    int (*recv)(void *buf, int count, int type, int source, int tag, int comm,
                cli_mpi_status *status);
    int (*reduce)(const void *send, void *recv, int count, int type, int op, int root, int comm);
    int (*allreduce)(const void *send, void *recv, int count, int type, int op, int comm);
    int (*gather)(const void *send, int send_count, int send_type, void *recv, int recv_count,
                  int recv_type, int root, int comm);
    int (*gatherv)(const void *send, int send_count, int send_type, void *recv,
                   const int *recv_counts, const int *displs, int recv_type, int root, int comm);
    int (*allgather)(const void *send, int send_count, int send_type, void *recv,
                     int recv_count, int recv_type, int comm);
    int (*allgatherv)(const void *send, int send_count, int send_type, void *recv,
                      const int *recv_counts, const int *displs, int recv_type, int comm);
    int (*scatterv)(const void *send, const int *send_counts, const int *displs, int send_type,
                    void *recv, int recv_count, int recv_type, int root, int comm);
    int (*alltoall)(const void *send, int send_count, int send_type, void *recv, int recv_count,
                    int recv_type, int comm);
    int (*alltoallv)(const void *send, const int *send_counts, const int *send_displs,
                     int send_type, void *recv, const int *recv_counts, const int *recv_displs,
                     int recv_type, int comm);
    double (*wtime)(void);
} cli_mpi_ops;

#define CLI_MPI_OPS_SYMBOL "popsim_mpi_ops"
#define CLI_MPI_PLUGIN_NAME "popsim-mpi.so"

#endif /* PS_CLI_MPI_OPS_H */
