import Foundation

/// A ``ProcessGroup`` whose processes are threads of this process: `LocalProcessGroup.make(size:)`
/// gives one member per simulated process, to be used from one thread each. It runs code
/// written for several processes (an MPI job's ranks) inside one test or one program, with
/// the same collective semantics: every member calls the same operations in the same order,
/// and each call returns once every member has made it.
public final class LocalProcessGroup: ProcessGroup, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let hub: Hub

    /// `size` members of one group, member r with rank r.
    public static func make(size: Int) -> [LocalProcessGroup] {
        precondition(size >= 1, "a process group has at least one member")
        let hub = Hub(size: size)
        return (0..<size).map { LocalProcessGroup(rank: $0, size: size, hub: hub) }
    }

    private init(rank: Int, size: Int, hub: Hub) {
        self.rank = rank
        self.size = size
        self.hub = hub
    }

    public func allGather(_ bytes: UnsafeRawBufferPointer, counts: [Int], into: UnsafeMutableRawBufferPointer) {
        precondition(counts.count == size && counts[rank] == bytes.count && into.count >= counts.reduce(0, +))
        hub.post(rank, bytes)
        hub.barrier()
        var offset = 0
        for r in 0..<size {
            let slot = hub.slot(r)
            precondition(slot.count == counts[r], "allGather: rank \(r) sent \(slot.count) bytes, expected \(counts[r])")
            slot.withUnsafeBytes { into.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            offset += counts[r]
        }
        hub.barrier()
    }

    public func allToAll(_ bytes: UnsafeRawBufferPointer, sendCounts: [Int], into: UnsafeMutableRawBufferPointer,
                         receiveCounts: [Int]) {
        precondition(sendCounts.count == size && receiveCounts.count == size && bytes.count >= sendCounts.reduce(0, +))
        precondition(into.count >= receiveCounts.reduce(0, +))
        hub.post(rank, UnsafeRawBufferPointer(rebasing: bytes[0..<sendCounts.reduce(0, +)]), counts: sendCounts)
        hub.barrier()
        var offset = 0
        for r in 0..<size {
            let (slot, counts) = hub.slotWithCounts(r)
            precondition(counts[rank] == receiveCounts[r],
                         "allToAll: rank \(r) sends \(counts[rank]) bytes here, expected \(receiveCounts[r])")
            let from = counts[0..<rank].reduce(0, +)
            slot.withUnsafeBytes {
                into.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!.advanced(by: from), byteCount: counts[rank])
            }
            offset += counts[rank]
        }
        hub.barrier()
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) {
        if rank == root { hub.post(rank, UnsafeRawBufferPointer(bytes)) }
        hub.barrier()
        if rank != root {
            let slot = hub.slot(root)
            precondition(slot.count == bytes.count, "broadcast: root sent \(slot.count) bytes, expected \(bytes.count)")
            slot.withUnsafeBytes { bytes.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        hub.barrier()
    }

    /// The members' shared slots and a reusable barrier.
    private final class Hub: @unchecked Sendable {
        let size: Int
        private let condition = NSCondition()
        private var arrived = 0, generation = 0
        private var slots: [[UInt8]]
        private var counts: [[Int]]

        init(size: Int) {
            self.size = size
            slots = Array(repeating: [], count: size)
            counts = Array(repeating: [], count: size)
        }

        func post(_ rank: Int, _ bytes: UnsafeRawBufferPointer, counts parts: [Int] = []) {
            condition.lock()
            slots[rank] = Array(bytes)
            counts[rank] = parts
            condition.unlock()
        }

        func slotWithCounts(_ rank: Int) -> ([UInt8], [Int]) {
            condition.lock()
            defer { condition.unlock() }
            return (slots[rank], counts[rank])
        }

        func slot(_ rank: Int) -> [UInt8] {
            condition.lock()
            defer { condition.unlock() }
            return slots[rank]
        }

        /// Returns when every member has called it (once per member per round).
        func barrier() {
            condition.lock()
            let round = generation
            arrived += 1
            if arrived == size {
                arrived = 0
                generation += 1
                condition.broadcast()
            } else {
                while generation == round { condition.wait() }
            }
            condition.unlock()
        }
    }
}
