#if MPI
import CMPI
import CMPIShim
import Foundation
import DataParallel

/// The ranks of an MPI job (MPI_COMM_WORLD) as a ``ProcessGroup``: all-gather and broadcast
/// of raw bytes, which MPI moves unchanged. MPI is initialised with MPI_THREAD_FUNNELED: only
/// the thread that made the group may call it (the training loop's thread; the worker pools
/// never do). Errors in MPI calls end the job (MPI's default handler, MPI_ERRORS_ARE_FATAL),
/// and a rank that dies ends the others through the launcher, so no rank waits forever.
public final class MPIProcessGroup: ProcessGroup, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private var counts: [Int32] = []
    private var displacements: [Int32] = []

    /// Initialises MPI (once per process) and joins MPI_COMM_WORLD.
    /// - Throws: ``MPIError`` when MPI cannot start or gives less than funneled threading.
    public init() throws(MPIError) {
        var provided: Int32 = 0
        let rc = MPI_Init_thread(nil, nil, cmpi_thread_funneled(), &provided)
        if rc != cmpi_success() { throw MPIError("MPI_Init_thread failed (code \(rc))") }
        if provided < cmpi_thread_funneled() {
            throw MPIError("MPI gives thread level \(provided), less than MPI_THREAD_FUNNELED")
        }
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(cmpi_comm_world(), &r)
        MPI_Comm_size(cmpi_comm_world(), &s)
        rank = Int(r)
        size = Int(s)
    }

    public func allGather(_ bytes: UnsafeRawBufferPointer, counts: [Int], into: UnsafeMutableRawBufferPointer) {
        precondition(counts.count == size && counts[rank] == bytes.count)
        let total = counts.reduce(0, +)
        precondition(total <= Int(Int32.max), "an all-gather of \(total) bytes is more than MPI's 2^31 - 1 per call")
        precondition(into.count >= total)
        self.counts = counts.map { Int32($0) }
        displacements = [0]
        for c in self.counts.dropLast() { displacements.append(displacements.last! + c) }
        _ = self.counts.withUnsafeBufferPointer { c in
            displacements.withUnsafeBufferPointer { d in
                MPI_Allgatherv(bytes.baseAddress, Int32(bytes.count), cmpi_byte(), into.baseAddress, c.baseAddress,
                               d.baseAddress, cmpi_byte(), cmpi_comm_world())
            }
        }
    }

    public func allToAll(_ bytes: UnsafeRawBufferPointer, sendCounts: [Int], into: UnsafeMutableRawBufferPointer,
                         receiveCounts: [Int]) {
        precondition(sendCounts.count == size && receiveCounts.count == size)
        let sent = sendCounts.reduce(0, +), received = receiveCounts.reduce(0, +)
        precondition(sent <= Int(Int32.max) && received <= Int(Int32.max),
                     "an all-to-all of \(max(sent, received)) bytes is more than MPI's 2^31 - 1 per call")
        precondition(bytes.count >= sent && into.count >= received)
        func offsets(_ counts: [Int32]) -> [Int32] {
            var d: [Int32] = [0]
            for c in counts.dropLast() { d.append(d.last! + c) }
            return d
        }
        let sc = sendCounts.map { Int32($0) }, rc = receiveCounts.map { Int32($0) }
        let sd = offsets(sc), rd = offsets(rc)
        _ = MPI_Alltoallv(bytes.baseAddress, sc, sd, cmpi_byte(), into.baseAddress, rc, rd, cmpi_byte(), cmpi_comm_world())
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) {
        precondition(bytes.count <= Int(Int32.max))
        _ = MPI_Bcast(bytes.baseAddress, Int32(bytes.count), cmpi_byte(), Int32(root), cmpi_comm_world())
    }

    /// Ends MPI in this process; every rank calls it once, after its last collective.
    public func finalize() { MPI_Finalize() }

    /// Ends every rank of the job at once with `code` (for a failure only this rank has, so
    /// that no other rank waits for it in a collective).
    public func abort(code: Int32) -> Never {
        MPI_Abort(cmpi_comm_world(), code)
        exit(code)
    }
}
#endif

/// Why MPI could not start.
public struct MPIError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
