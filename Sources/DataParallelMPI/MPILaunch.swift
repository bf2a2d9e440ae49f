import Foundation

/// How this process was started: alone, or as one rank of a job that an MPI launcher started
/// (`mpirun`, Slurm's `srun`). Read from the environment the launchers set, so it is known
/// before MPI is initialised, and in builds without MPI.
public enum MPILaunch {
    /// The number of ranks the launcher started, or nil when no launcher started this process.
    /// Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE; PMI launchers (Slurm's srun, MPICH's
    /// Hydra) set PMI_SIZE.
    public static var ranks: Int? {
        let env = ProcessInfo.processInfo.environment
        for key in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"] {
            if let value = env[key], let n = Int(value), n >= 1 { return n }
        }
        return nil
    }

    /// True when this binary was built with the MPI trait (`swift build --traits MPI`).
    public static var isAvailable: Bool {
        #if MPI
        return true
        #else
        return false
        #endif
    }
}
