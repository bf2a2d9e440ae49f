import DataParallel
import DataParallelMPI
import Learning

/// `minibatch train` as one rank of an MPI job (a build with the MPI trait, started by
/// mpirun or srun): every rank trains in lock step through a ``GroupCombiner``; only rank 0
/// prints and writes files.
///
/// Failures end every rank in bounded time. Until the data is loaded, the ranks agree on
/// whether each one loaded: the first rank that failed prints its message (with its rank when
/// it is not 0) and every rank exits with its code. During training, an error (a divergence)
/// happens on every rank at the same step, since they hold the same bits, so rank 0 prints it
/// and each exits normally; a file rank 0 cannot write ends the whole job with MPI_Abort,
/// since the other ranks would otherwise wait for it in the next combine.
enum RankedRun {
    /// Runs `train(rank)` as this process's rank when an MPI launcher started it, or
    /// `train(nil)` in a plain process.
    /// - Throws: a usage error when a launcher started several ranks of a build without MPI
    ///   (each would train alone and write the same files).
    static func run(_ train: (Rank?) throws -> Int32) throws -> Int32 {
        guard let ranks = MPILaunch.ranks else { return try train(nil) }
        #if MPI
        let group: MPIProcessGroup
        do { group = try MPIProcessGroup() } catch { throw UsageError("\(error)") }
        return Rank(group: group).run(train)
        #else
        if ranks == 1 { return try train(nil) }
        throw UsageError("started as one of \(ranks) MPI ranks, but this minibatch was built without MPI; "
            + "build it with: swift build -c release --traits MPI")
        #endif
    }
}

/// This process's place in an MPI job and how far the job has come.
final class Rank {
    enum Phase { case loading, training, peerFailed(Int32) }

    let group: any ProcessGroup
    private(set) var phase = Phase.loading
    #if MPI
    private var mpi: MPIProcessGroup? { group as? MPIProcessGroup }
    #endif

    init(group: any ProcessGroup) { self.group = group }

    var number: Int { group.rank }
    var isFirst: Bool { group.rank == 0 }

    /// The job control's part: steps combined across the ranks, files written by rank 0,
    /// and the agreement that every rank has loaded.
    func configure(_ control: inout JobControl) {
        signalRepeatsIgnored.store(true, ordering: .relaxed)
        control.combiner = GroupCombiner(group: group)
        control.writesFiles = isFirst
        control.onLoaded = { () throws(LearningError) in try self.agreeLoaded(code: 0) }
    }

    /// Every rank's load result (0, or the exit code of its failure); throws on the ranks that
    /// loaded when another did not.
    private func agreeLoaded(code: Int32) throws(LearningError) {
        let codes = group.allGather(code)
        if let failed = codes.firstIndex(where: { $0 != 0 }) {
            phase = .peerFailed(codes[failed])
            throw .training(message: "rank \(failed) could not start")
        }
        phase = .training
    }

    #if MPI
    func run(_ train: (Rank?) throws -> Int32) -> Int32 {
        do {
            let code = try train(self)
            mpi?.finalize()
            return code
        } catch {
            let (message, code) = errorReport(error)
            switch phase {
            case .loading:
                // The ranks that loaded wait in agreeLoaded for this one.
                let codes = group.allGather(code)
                if codes.firstIndex(where: { $0 != 0 }) == number {
                    Console.error(isFirst ? message : "minibatch: rank \(number): " + message.dropFirst("minibatch: ".count))
                }
                mpi?.finalize()
                return codes.first { $0 != 0 } ?? code
            case .peerFailed(let peerCode):
                mpi?.finalize()
                return peerCode
            case .training:
                // Every rank holds the same bits and runs the same code, so an error is every
                // rank's at the same point, except a file that rank 0 cannot write.
                if let e = error as? LearningError, !e.isOutputError {
                    if isFirst { Console.error(message) }
                    mpi?.finalize()
                    return code
                }
                Console.error(isFirst ? message : "minibatch: rank \(number): " + message.dropFirst("minibatch: ".count))
                mpi?.abort(code: code)
                return code
            }
        }
    }
    #endif
}

extension LearningError {
    /// A file could not be written (on one process only: the one that writes).
    var isOutputError: Bool {
        if case .output = self { return true }
        return false
    }
}
