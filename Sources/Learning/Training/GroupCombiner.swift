import DataParallel

/// Sums each step across the processes of a ``ProcessGroup`` (the ranks of an MPI job) so that
/// the result is bit for bit the one-process sum, for any number of processes.
///
/// Process r computes its run of the step's shards (``ShardOwnership``), sums the whole
/// ``PairwiseTree`` nodes that cover the run (``TreeNode``), and the processes exchange those
/// node sums in one all-gather. Every process then finishes the tree above the nodes in the
/// tree's order, so every element of the gradient, the loss sum and the correct count are
/// added in exactly the order one process would add them. The first process's wish to stop
/// travels in the same message, so every process stops after the same step.
///
/// Each process sends about 8 + n_r (16 + 4P) bytes per step (n_r nodes, P parameters) and receives
/// every process's; with S shards and R processes, n_r is at most about 2 log2(S / R) + 2.
/// Dense steps only: sparse rows train in one process.
public final class GroupCombiner: StepCombiner, @unchecked Sendable {
    public let group: any ProcessGroup
    private let ownership: ShardOwnership
    /// Every process's nodes, per shard count (a step has at most 16 shards).
    private var cuts: [Int: [[TreeNode]]] = [:]
    private var send: UnsafeMutableRawBufferPointer = .init(start: nil, count: 0)
    private var receive: UnsafeMutableRawBufferPointer = .init(start: nil, count: 0)

    public init(group: any ProcessGroup) {
        self.group = group
        ownership = ShardOwnership(rank: group.rank, size: group.size)
    }

    deinit {
        send.deallocate()
        receive.deallocate()
    }

    public var processCount: Int { group.size }

    public func ownedShards(of shards: Int) -> Range<Int> { ownership.shards(of: shards) }

    public func agree(_ decision: Bool) -> Bool { group.broadcast(decision ? UInt8(1) : 0, root: 0) != 0 }

    public func share(_ parameters: inout [Float]) { group.broadcast(&parameters, root: 0) }

    /// Bytes of one process's message: the stop flag, then per node its figures (loss, correct),
    /// then per node its gradient.
    private static func messageBytes(nodes: Int, length: Int) -> Int { 8 + nodes * (16 + gradientBytes(length)) }

    /// Bytes of one node's gradient: 4 per element, rounded up to 8 so that every message and
    /// every figure in it stays aligned.
    private static func gradientBytes(_ length: Int) -> Int { (4 * length + 7) & ~7 }

    private func cut(shards: Int) -> [[TreeNode]] {
        if let c = cuts[shards] { return c }
        let c = ownership.cut(shards: shards)
        cuts[shards] = c
        return c
    }

    /// `buffer` with room for `bytes` bytes (grown, never shrunk).
    private static func reserve(_ buffer: inout UnsafeMutableRawBufferPointer, _ bytes: Int) {
        if buffer.count >= bytes { return }
        buffer.deallocate()
        buffer = .allocate(byteCount: bytes, alignment: 64)
    }

    public func combine(_ gradients: ShardBuffers, figures: [StepFigures], shards: Int, stop: Bool, pool: WorkerPool,
                        update: @escaping (_ range: Range<Int>, _ total: UnsafeMutablePointer<Float>) -> Void) -> StepOutcome {
        let cut = cut(shards: shards)
        let owned = ownedShards(of: shards), mine = cut[group.rank]
        precondition(figures.count == owned.count)
        let p = gradients.length

        // This process's node sums: gradients in the nodes' first buffers, figures likewise.
        gradients.reduce(nodes: mine, shards: shards, pool: pool)
        var local = [StepFigures](repeating: .zero, count: shards)
        for (k, f) in figures.enumerated() { local[owned.lowerBound + k] = f }
        for node in mine {
            PairwiseTree.visitPairs(count: shards, inside: node) { into, from in local[into] = local[into] + local[from] }
        }

        // One message: [stop: Int64][per node: loss Double, correct Int64][per node: P floats].
        let counts = cut.map { Self.messageBytes(nodes: $0.count, length: p) }
        Self.reserve(&send, counts[group.rank])
        Self.reserve(&receive, counts.reduce(0, +))
        let out = send.baseAddress!
        out.storeBytes(of: Int64(stop ? 1 : 0), as: Int64.self)
        for (k, node) in mine.enumerated() {
            out.storeBytes(of: local[node.first].loss, toByteOffset: 8 + 16 * k, as: Double.self)
            out.storeBytes(of: Int64(local[node.first].correct), toByteOffset: 16 + 16 * k, as: Int64.self)
            (out + 8 + 16 * mine.count + Self.gradientBytes(p) * k).copyMemory(
                from: UnsafeRawPointer(gradients.buffer(node.first).baseAddress!), byteCount: 4 * p)
        }
        group.allGather(UnsafeRawBufferPointer(start: out, count: counts[group.rank]), counts: counts,
                        into: UnsafeMutableRawBufferPointer(rebasing: receive[0..<counts.reduce(0, +)]))

        // Every node's sums, found in the received messages by the node's first shard.
        var sums = [StepFigures](repeating: .zero, count: shards)
        var slots = [UnsafeMutablePointer<Float>?](repeating: nil, count: shards)
        var firstStop = false
        var offset = 0
        for (r, nodes) in cut.enumerated() {
            let message = receive.baseAddress! + offset
            if r == 0 { firstStop = message.load(as: Int64.self) != 0 }
            for (k, node) in nodes.enumerated() {
                sums[node.first] = StepFigures(loss: message.load(fromByteOffset: 8 + 16 * k, as: Double.self),
                                               correct: Int(message.load(fromByteOffset: 16 + 16 * k, as: Int64.self)))
                slots[node.first] = (message + 8 + 16 * nodes.count + Self.gradientBytes(p) * k).assumingMemoryBound(to: Float.self)
            }
            offset += counts[r]
        }
        let all = cut.flatMap { $0 }
        PairwiseTree.visitPairs(count: shards, above: all) { into, from in sums[into] = sums[into] + sums[from] }

        // The gradient's tree above the nodes, block by block, each block then updated.
        // (Only node slots are touched: every pair above the cut joins two nodes' first slots.)
        let buffers = slots
        let chunks = ShardPlan(count: p, grain: 2048, maxShards: 64)
        pool.parallelFor(chunks, cost: 2 * shards * p) { _, range in
            var start = range.lowerBound
            while start < range.upperBound {
                let block = start..<min(start + 512, range.upperBound)
                PairwiseTree.visitPairs(count: shards, above: all) { into, from in
                    let a = buffers[into]!, b = buffers[from]!
                    for i in block { a[i] += b[i] }
                }
                update(block, buffers[0]!)
                start = block.upperBound
            }
        }
        return StepOutcome(figures: sums[0], stop: firstStop)
    }

    public func combine(_ gradients: SparseShardGradients, figures: StepFigures, shards: Int, stop: Bool) -> StepOutcome {
        precondition(group.size == 1, "sparse rows train in one process")
        gradients.sumInShardOrder(shards: shards)
        return StepOutcome(figures: figures, stop: stop)
    }
}
