/// A fixed group of processes that run the same program in lock step (the ranks of an MPI
/// job), seen from one of them: the two collective operations a synchronous data-parallel
/// step needs. Every process calls each operation in the same order; an operation returns when
/// its data has arrived. Bytes travel unchanged, so floating-point sums that every process
/// finishes in the same order give the same bits on all of them.
public protocol ProcessGroup: AnyObject, Sendable {
    /// This process, `0..<size`.
    var rank: Int { get }
    /// The number of processes, >= 1.
    var size: Int { get }

    /// Gathers every process's bytes on every process: process r sends `counts[r]` bytes
    /// (`bytes`), and `into` receives them all, concatenated in rank order.
    func allGather(_ bytes: UnsafeRawBufferPointer, counts: [Int], into: UnsafeMutableRawBufferPointer)

    /// Exchanges a part with every process: this process sends `sendCounts[q]` bytes of
    /// `bytes` (the parts in rank order, back to back) to process q, and `into` receives
    /// `receiveCounts[r]` bytes from each process r, in rank order.
    func allToAll(_ bytes: UnsafeRawBufferPointer, sendCounts: [Int], into: UnsafeMutableRawBufferPointer,
                  receiveCounts: [Int])

    /// Copies process `root`'s `bytes` into every process's `bytes` (of the same length).
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int)
}

extension ProcessGroup {
    /// Process `root`'s value of `value` on every process.
    public func broadcast<T: BitwiseCopyable>(_ value: T, root: Int = 0) -> T {
        var v = value
        withUnsafeMutableBytes(of: &v) { broadcast($0, root: root) }
        return v
    }

    /// Process `root`'s array on every process (the arrays must have the same count).
    public func broadcast<T: BitwiseCopyable>(_ values: inout [T], root: Int = 0) {
        values.withUnsafeMutableBytes { broadcast($0, root: root) }
    }

    /// Every process's `value`, in rank order.
    public func allGather<T: BitwiseCopyable>(_ value: T) -> [T] {
        var out = [T](repeating: value, count: size)
        withUnsafeBytes(of: value) { mine in
            out.withUnsafeMutableBytes { all in
                allGather(mine, counts: Array(repeating: MemoryLayout<T>.size, count: size), into: all)
            }
        }
        return out
    }
}
