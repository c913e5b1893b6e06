#pragma once
// The MPI side of `simulate sweep` (OpenMPI, Debian libopenmpi-dev), built only when CMake finds
// MPI. The engine knows only the Communicator interface.
#include <memory>

#include "chokepoint/sweep/run.hpp"

namespace chokepoint::cli {

/// True when this process was started by mpirun/srun (the launcher's environment is present).
bool launched_by_mpi();
/// Initialises MPI and returns a communicator over MPI_COMM_WORLD (finalised when destroyed);
/// null when this build has no MPI support.
std::unique_ptr<Communicator> make_mpi_communicator();
/// Ends every rank (after a failure on one of them, so the others do not wait for ever).
void mpi_abort(int code);

}  // namespace chokepoint::cli
