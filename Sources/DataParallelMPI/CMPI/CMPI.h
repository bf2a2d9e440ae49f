// Open MPI's C interface, found through pkg-config `ompi` (Debian: libopenmpi-dev).
// Only built with the MPI trait (swift build --traits MPI).
#include <mpi.h>
