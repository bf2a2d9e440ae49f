import DataParallel

/// Sums each step across the processes of a ``ProcessGroup`` (the ranks of an MPI job) so that
/// the result is bit for bit the one-process sum, for any number of processes.
///
/// Process r computes its run of the step's shards (``ShardOwnership``) and sums the whole
/// ``PairwiseTree`` nodes that cover the run (``TreeNode``). The tree above those nodes is then
/// finished in the tree's order, so every element of the gradient, the loss sum and the correct
/// count is added in exactly the order one process adds it:
/// - with 2 processes (``Exchange/gather``), the processes exchange their node sums in one
///   all-gather and each finishes the whole tree;
/// - with 3 or more (``Exchange/scatter``), process q receives every node's elements of its
///   slice q of the gradient (an all-to-all), finishes the tree on that slice, and the finished
///   slices are all-gathered. Each process then receives about
///   (nodes / R + 1) x 4P bytes per step instead of nodes x 4P.
/// The first process's wish to stop travels with the node sums, so every process stops after
/// the same step. Dense steps only: sparse rows train in one process.
public final class GroupCombiner: StepCombiner, @unchecked Sendable {
    /// How the node sums travel.
    public enum Exchange: String, Sendable {
        /// One all-gather of every node's whole gradient.
        case gather
        /// An all-to-all of node slices, then an all-gather of the finished slices.
        case scatter
    }

    public let group: any ProcessGroup
    public let exchange: Exchange
    private let ownership: ShardOwnership
    /// Every process's nodes, per shard count (a step has at most 16 shards).
    private var cuts: [Int: [[TreeNode]]] = [:]
    private var send = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var receive = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var total = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    /// Bytes this process received from the others in its last combine.
    public private(set) var lastBytesReceived = 0

    public init(group: any ProcessGroup) {
        self.group = group
        exchange = group.size >= 3 ? .scatter : .gather
        ownership = ShardOwnership(rank: group.rank, size: group.size)
    }

    deinit {
        send.deallocate()
        receive.deallocate()
        total.deallocate()
    }

    public var processCount: Int { group.size }

    public func ownedShards(of shards: Int) -> Range<Int> { ownership.shards(of: shards) }

    public func agree(_ decision: Bool) -> Bool { group.broadcast(decision ? UInt8(1) : 0, root: 0) != 0 }

    public func share(_ parameters: inout [Float]) { group.broadcast(&parameters, root: 0) }

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

    /// `bytes` rounded up to 8, so that every message and every figure in it stays aligned.
    private static func padded(_ bytes: Int) -> Int { (bytes + 7) & ~7 }

    /// A message's head: the stop flag, then per node its figures (loss, correct).
    private static func headBytes(nodes: Int) -> Int { 8 + 16 * nodes }

    /// Process q's slice of a `p`-element gradient in the scatter exchange.
    private func slice(_ q: Int, of p: Int) -> Range<Int> { (q * p / group.size)..<((q + 1) * p / group.size) }

    private static func writeHead(_ out: UnsafeMutableRawPointer, stop: Bool, nodes: [TreeNode], figures: [StepFigures]) {
        out.storeBytes(of: Int64(stop ? 1 : 0), as: Int64.self)
        for (k, node) in nodes.enumerated() {
            out.storeBytes(of: figures[node.first].loss, toByteOffset: 8 + 16 * k, as: Double.self)
            out.storeBytes(of: Int64(figures[node.first].correct), toByteOffset: 16 + 16 * k, as: Int64.self)
        }
    }

    private static func readHead(_ message: UnsafeRawPointer, nodes: [TreeNode], into sums: inout [StepFigures]) -> Bool {
        for (k, node) in nodes.enumerated() {
            sums[node.first] = StepFigures(loss: message.load(fromByteOffset: 8 + 16 * k, as: Double.self),
                                           correct: Int(message.load(fromByteOffset: 16 + 16 * k, as: Int64.self)))
        }
        return message.load(as: Int64.self) != 0
    }

    /// Reads the received messages, process r's `counts[r]` bytes back to back: every node's
    /// figures into `sums` and the address of its floats (`bytesPerNode` apart after the head)
    /// by the node's first shard, and the first process's stop wish.
    private func readMessages(cut: [[TreeNode]], counts: [Int], bytesPerNode: Int, sums: inout [StepFigures])
        -> (slots: [UnsafeMutablePointer<Float>?], firstStop: Bool)
    {
        var slots = [UnsafeMutablePointer<Float>?](repeating: nil, count: sums.count)
        var firstStop = false
        var offset = 0
        for (r, nodes) in cut.enumerated() {
            let message = receive.baseAddress! + offset
            let wish = Self.readHead(message, nodes: nodes, into: &sums)
            if r == 0 { firstStop = wish }
            for (k, node) in nodes.enumerated() {
                slots[node.first] = (message + Self.headBytes(nodes: nodes.count) + bytesPerNode * k).assumingMemoryBound(to: Float.self)
            }
            offset += counts[r]
        }
        return (slots, firstStop)
    }

    /// Finishes the tree above `cut` on `elements` of the node buffers `slots` (indexed by each
    /// node's first shard), block by block, handing each finished block to `finish`.
    private static func finishTree(shards: Int, cut: [TreeNode], slots: [UnsafeMutablePointer<Float>?], elements: Int,
                                   pool: WorkerPool, finish: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
        let chunks = ShardPlan(count: elements, grain: 2048, maxShards: 64)
        pool.parallelFor(chunks, cost: 2 * shards * elements) { _, range in
            var start = range.lowerBound
            while start < range.upperBound {
                let block = start..<min(start + 512, range.upperBound)
                // Only node slots are touched: every pair above the cut joins two nodes' first slots.
                PairwiseTree.visitPairs(count: shards, above: cut) { into, from in
                    let a = slots[into]!, b = slots[from]!
                    for i in block { a[i] += b[i] }
                }
                finish(block, slots[0]!)
                start = block.upperBound
            }
        }
    }

    public func combine(_ gradients: ShardBuffers, figures: [StepFigures], shards: Int, stop: Bool, pool: WorkerPool,
                        update: @escaping (_ range: Range<Int>, _ total: UnsafeMutablePointer<Float>) -> Void) -> StepOutcome {
        let cut = cut(shards: shards)
        let owned = ownedShards(of: shards), mine = cut[group.rank]
        precondition(figures.count == owned.count)

        // This process's node sums: gradients in the nodes' first buffers, figures likewise.
        gradients.reduce(nodes: mine, shards: shards, pool: pool)
        var local = [StepFigures](repeating: .zero, count: shards)
        for (k, f) in figures.enumerated() { local[owned.lowerBound + k] = f }
        for node in mine {
            PairwiseTree.visitPairs(count: shards, inside: node) { into, from in local[into] = local[into] + local[from] }
        }
        let all = cut.flatMap { $0 }
        var sums = [StepFigures](repeating: .zero, count: shards)
        let firstStop: Bool
        switch exchange {
        case .gather: firstStop = gather(gradients, cut: cut, local: local, stop: stop, sums: &sums, pool: pool, update: update)
        case .scatter: firstStop = scatter(gradients, cut: cut, local: local, stop: stop, sums: &sums, pool: pool, update: update)
        }
        PairwiseTree.visitPairs(count: shards, above: all) { into, from in sums[into] = sums[into] + sums[from] }
        return StepOutcome(figures: sums[0], stop: firstStop)
    }

    /// One all-gather of [stop][figures per node][gradient per node]; every process finishes
    /// the whole tree.
    private func gather(_ gradients: ShardBuffers, cut: [[TreeNode]], local: [StepFigures], stop: Bool,
                        sums: inout [StepFigures], pool: WorkerPool,
                        update: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> Bool {
        let p = gradients.length, mine = cut[group.rank], gradientBytes = Self.padded(4 * p)
        let counts = cut.map { Self.headBytes(nodes: $0.count) + $0.count * gradientBytes }
        let received = counts.reduce(0, +)
        Self.reserve(&send, counts[group.rank])
        Self.reserve(&receive, received)
        let out = send.baseAddress!
        Self.writeHead(out, stop: stop, nodes: mine, figures: local)
        for (k, node) in mine.enumerated() {
            (out + Self.headBytes(nodes: mine.count) + gradientBytes * k).copyMemory(
                from: UnsafeRawPointer(gradients.buffer(node.first).baseAddress!), byteCount: 4 * p)
        }
        group.allGather(UnsafeRawBufferPointer(start: out, count: counts[group.rank]), counts: counts,
                        into: UnsafeMutableRawBufferPointer(rebasing: receive[0..<received]))
        lastBytesReceived = received - counts[group.rank]

        let (slots, firstStop) = readMessages(cut: cut, counts: counts, bytesPerNode: gradientBytes, sums: &sums)
        Self.finishTree(shards: sums.count, cut: cut.flatMap { $0 }, slots: slots, elements: p, pool: pool, finish: update)
        return firstStop
    }

    /// An all-to-all of [stop][figures per node][slice q of each node] to every process q; each
    /// finishes the tree on its slice; an all-gather of the finished slices; then the update.
    private func scatter(_ gradients: ShardBuffers, cut: [[TreeNode]], local: [StepFigures], stop: Bool,
                         sums: inout [StepFigures], pool: WorkerPool,
                         update: @escaping (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> Bool {
        let p = gradients.length, size = group.size, me = group.rank, mine = cut[me]
        let slices = (0..<size).map { slice($0, of: p) }
        func message(nodes: Int, slice: Range<Int>) -> Int { Self.headBytes(nodes: nodes) + Self.padded(4 * nodes * slice.count) }
        let sendCounts = slices.map { message(nodes: mine.count, slice: $0) }
        let receiveCounts = cut.map { message(nodes: $0.count, slice: slices[me]) }
        let sent = sendCounts.reduce(0, +), received = receiveCounts.reduce(0, +)
        Self.reserve(&send, sent)
        Self.reserve(&receive, received)
        Self.reserve(&total, 4 * p)

        var offset = 0
        for q in 0..<size {
            let out = send.baseAddress! + offset
            Self.writeHead(out, stop: stop, nodes: mine, figures: local)
            let n = slices[q].count
            for (k, node) in mine.enumerated() {
                (out + Self.headBytes(nodes: mine.count) + 4 * n * k).copyMemory(
                    from: UnsafeRawPointer(gradients.buffer(node.first).baseAddress! + slices[q].lowerBound), byteCount: 4 * n)
            }
            offset += sendCounts[q]
        }
        group.allToAll(UnsafeRawBufferPointer(start: send.baseAddress!, count: sent), sendCounts: sendCounts,
                       into: UnsafeMutableRawBufferPointer(rebasing: receive[0..<received]), receiveCounts: receiveCounts)

        // Every node's elements of this process's slice.
        let n = slices[me].count
        let (slots, firstStop) = readMessages(cut: cut, counts: receiveCounts, bytesPerNode: 4 * n, sums: &sums)
        let whole = total.baseAddress!.assumingMemoryBound(to: Float.self)
        if n > 0 {
            Self.finishTree(shards: sums.count, cut: cut.flatMap { $0 }, slots: slots, elements: n, pool: pool) { _, _ in }
        }
        // The finished slices, everywhere; then every process takes the whole step.
        let counts = slices.map { 4 * $0.count }
        group.allGather(UnsafeRawBufferPointer(start: n > 0 ? UnsafeRawPointer(slots[0]!) : UnsafeRawPointer(whole), count: 4 * n),
                        counts: counts, into: UnsafeMutableRawBufferPointer(start: whole, count: 4 * p))
        lastBytesReceived = received - receiveCounts[me] + 4 * (p - n)
        let chunks = ShardPlan(count: p, grain: 2048, maxShards: 64)
        pool.parallelFor(chunks, cost: 2 * p) { _, range in
            var start = range.lowerBound
            while start < range.upperBound {
                let block = start..<min(start + 512, range.upperBound)
                update(block, whole)
                start = block.upperBound
            }
        }
        return firstStop
    }

    public func combine(_ gradients: SparseShardGradients, figures: StepFigures, shards: Int, stop: Bool) -> StepOutcome {
        precondition(group.size == 1, "sparse rows train in one process")
        gradients.sumInShardOrder(shards: shards)
        return StepOutcome(figures: figures, stop: stop)
    }
}
