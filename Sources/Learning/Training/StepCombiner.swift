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
}

/// Where the shards of a step become one: every step's per-shard gradients and figures go
/// through a combiner before the update. ``LocalCombiner`` sums the shards of this process
/// along the fixed pairwise tree; a combiner that also sums across processes plugs in here.
///
/// A combiner must sum in an order that depends only on the shard plan, so that the result
/// is the same bits whatever runs the shards.
public protocol StepCombiner: Sendable {
    /// The figures of a step, given this process's sum of them.
    func combine(_ figures: StepFigures) -> StepFigures

    /// Sums the dense gradients of shards `0..<shards` and hands the total to `update`, block
    /// by block (each element in exactly one block), so that the update can consume a block
    /// while it is in cache.
    /// - Parameter update: `(range, total)`: the elements `range` of the summed gradient are
    ///   `total[range]`.
    func combine(_ gradients: ShardBuffers, shards: Int, pool: WorkerPool,
                 update: @escaping (_ range: Range<Int>, _ total: UnsafeMutablePointer<Float>) -> Void)

    /// Sums the sparse gradients of shards `0..<shards` into `gradients.total`.
    func combine(_ gradients: SparseShardGradients, shards: Int)
}

/// One process: the shards' gradients summed element by element along ``PairwiseTree``
/// (dense) or in shard order (sparse), the update fused into the sum block by block. The
/// figures are already whole.
public struct LocalCombiner: StepCombiner {
    public init() {}

    public func combine(_ figures: StepFigures) -> StepFigures { figures }

    public func combine(_ gradients: ShardBuffers, shards: Int, pool: WorkerPool,
                        update: @escaping (_ range: Range<Int>, _ total: UnsafeMutablePointer<Float>) -> Void) {
        gradients.reduce(shards: shards, pool: pool, finish: update)
    }

    public func combine(_ gradients: SparseShardGradients, shards: Int) {
        gradients.sumInShardOrder(shards: shards)
    }
}

/// The per-shard gradients of the sparse path and their sum: each shard's touched features
/// with their gradient rows, summed in shard order (``SparseGradientSum``).
public final class SparseShardGradients: @unchecked Sendable {
    /// One per shard of the largest batch.
    let parts: [SparseGradient]
    private let sum: SparseGradientSum
    /// The sum of the last ``StepCombiner/combine(_:shards:)-(SparseShardGradients,_)``.
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
