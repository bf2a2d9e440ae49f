// Getters for Open MPI's handles. MPI_COMM_WORLD, MPI_BYTE and the like are macros around the
// addresses of global structs, which Swift does not import; these static inline functions
// return them. The whole header is empty where mpi.h is not on the include path (a build
// without the MPI trait compiles this target too, and must pass where MPI is not installed).
#ifndef CMPI_SHIM_H
#define CMPI_SHIM_H
#if __has_include(<mpi.h>)
#include <mpi.h>

static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline int cmpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int cmpi_success(void) { return MPI_SUCCESS; }

#endif
#endif
