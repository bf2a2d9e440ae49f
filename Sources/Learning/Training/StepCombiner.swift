import DataParallel

/// The figures of a step that are summed with its gradient: the batch's (weighted) loss sum
/// and correct predictions, with the parameters before the step.
public struct StepFigures: Sendable, Equatable {
    public var loss: Double
    public var correct: Int

    public init(loss: Double, correct: Int) {
        self.loss = loss
        self.correct = correct
    }

    /// The figures of two parts of a batch.
    public static func + (a: StepFigures, b: StepFigures) -> StepFigures {
        StepFigures(loss: a.loss + b.loss, correct: a.correct + b.correct)
    }

    public static let zero = StepFigures(loss: 0, correct: 0)
}

/// What a step's combine gives the loop: the whole batch's figures, and whether the run stops
/// after this step (the first process's wish, so that every process stops at the same step).
public struct StepOutcome: Sendable, Equatable {
    public var figures: StepFigures
    public var stop: Bool

    public init(figures: StepFigures, stop: Bool) {
        self.figures = figures
        self.stop = stop
    }
}

/// Where the shards of a step become one: every step's per-shard gradients and figures go
/// through a combiner before the update. ``LocalCombiner`` sums the shards of this process
/// along the fixed pairwise tree; ``GroupCombiner`` also sums across the processes of a
/// ``ProcessGroup`` (the ranks of an MPI job), each of which computes only its own shards.
///
/// A combiner must sum in an order that depends only on the shard plan, so that the result
/// is the same bits whatever runs the shards.
public protocol StepCombiner: Sendable {
    /// The shards of a step's `0..<shards` that this process computes.
    func ownedShards(of shards: Int) -> Range<Int>

    /// Completes a dense step: sums the gradients of shards `0..<shards` (this process has
    /// computed ``ownedShards(of:)`` into their buffers) and hands the total to `update`, block
    /// by block (each element in exactly one block), so that the update can consume a block
    /// while it is in cache.
    /// - Parameters:
    ///   - figures: the figures of the owned shards, in shard order.
    ///   - stop: whether this process wants the run to stop after this step.
    ///   - update: `(range, total)`: the elements `range` of the summed gradient are `total[range]`.
    /// - Returns: the batch's figures, and the stop decision every process takes.
    func combine(_ gradients: ShardBuffers, figures: [StepFigures], shards: Int, stop: Bool, pool: WorkerPool,
                 update: @escaping (_ range: Range<Int>, _ total: UnsafeMutablePointer<Float>) -> Void) -> StepOutcome

    /// Completes a sparse step (one process computes every shard): sums the shards' sparse
    /// gradients into `gradients.total`.
    /// - Parameter figures: the batch's figures.
    func combine(_ gradients: SparseShardGradients, figures: StepFigures, shards: Int, stop: Bool) -> StepOutcome

    /// The first process's `decision`, on every process: how a decision that depends on the
    /// clock (a time budget) is taken once for all.
    func agree(_ decision: Bool) -> Bool

    /// Gives every process the first process's `parameters` (the starting model).
    func share(_ parameters: inout [Float])

    /// The number of processes that compute a step's shards.
    var processCount: Int { get }
}

extension StepCombiner {
    public func ownedShards(of shards: Int) -> Range<Int> { 0..<shards }
    public func agree(_ decision: Bool) -> Bool { decision }
    public func share(_ parameters: inout [Float]) {}
    public var processCount: Int { 1 }
}

/// One process: the shards' gradients summed element by element along ``PairwiseTree``
/// (dense) or in shard order (sparse), the update fused into the sum block by block; the
/// figures summed along the same tree.
public struct LocalCombiner: StepCombiner {
    public init() {}

    public func combine(_ gradients: ShardBuffers, figures: [StepFigures], shards: Int, stop: Bool, pool: WorkerPool,
                        update: @escaping (_ range: Range<Int>, _ total: UnsafeMutablePointer<Float>) -> Void) -> StepOutcome {
        precondition(figures.count == shards)
        var sums = figures
        PairwiseTree.visitPairs(count: shards) { into, from in sums[into] = sums[into] + sums[from] }
        gradients.reduce(shards: shards, pool: pool, finish: update)
        return StepOutcome(figures: sums[0], stop: stop)
    }

    public func combine(_ gradients: SparseShardGradients, figures: StepFigures, shards: Int, stop: Bool) -> StepOutcome {
        gradients.sumInShardOrder(shards: shards)
        return StepOutcome(figures: figures, stop: stop)
    }
}

/// The per-shard gradients of the sparse path and their sum: each shard's touched features
/// with their gradient rows, summed in shard order (``SparseGradientSum``).
public final class SparseShardGradients: @unchecked Sendable {
    /// One per shard of the largest batch.
    let parts: [SparseGradient]
    private let sum: SparseGradientSum
    /// The sum of the last sparse combine.
    private(set) var total: SparseGradient

    init(shards: Int, featureCount d: Int, outputs o: Int) {
        parts = (0..<shards).map { _ in SparseGradient(outputs: o) }
        sum = SparseGradientSum(featureCount: shards > 1 ? d : 1, outputs: o)
        total = parts[0]
    }

    /// Sums `parts[0..<shards]` in shard order into ``total``.
    func sumInShardOrder(shards: Int) {
        total = sum.sum(parts, count: shards)
    }
}
