internal import LearningKernels
import DataParallel

/// Steps on dense rows, for any model with shard kernels (``LinearModel``, ``MLP``).
///
/// Every shard writes its rows' gradient (for softmax regression (p - y) x^T) into its own
/// buffer; the combiner sums the buffers and hands each summed block to the optimizer's
/// update and the l1 truncation (``CumulativeL1``) while it is in cache.
final class DenseStepEngine<M: TrainableModel>: StepEngine {
    typealias Rows = Dataset
    private var current: M
    private let train: Dataset
    private let options: TrainingOptions
    private let pool: WorkerPool
    let combiner: any StepCombiner
    private let regularization: Regularization
    private let optimizer: any Optimizer
    private let l1: CumulativeL1?
    private let gradients: ShardBuffers
    private let scratch: ShardBuffers
    /// The figures of this process's shards of the last ``accumulate(_:)``, in shard order.
    private var shardFigures: [StepFigures] = []

    init(_ start: M, train: Dataset, options: TrainingOptions, pool: WorkerPool, combiner: any StepCombiner) {
        precondition(train.count > 0 && train.featureCount == start.featureCount)
        current = start
        self.train = train
        self.options = options
        self.pool = pool
        self.combiner = combiner
        regularization = Regularization(options)
        optimizer = makeOptimizer(options, parameterCount: start.parameters.count)
        l1 = regularization.cumulativeL1(weightCount: start.weightCount)
        let batches = Batches(batchSize: options.batchSize, rows: train.count)
        gradients = ShardBuffers(shardCount: batches.maxShards, length: start.parameters.count)
        scratch = ShardBuffers(shardCount: batches.maxShards, length: start.scratchLength(rows: batches.maxShardRows))
    }

    var parameters: [Float] { current.parameters }
    var parametersAreFinite: Bool { current.parameters.allSatisfy(\.isFinite) }

    func restore(_ state: TrainingState, rows: Int, file: String) throws(LearningError) {
        try state.checkFits(parameters: current.parameters.count, optimizerBuffers: optimizer.stateCount,
                            l1Received: l1 == nil ? 0 : current.weightCount, averaging: options.averageAfter != nil,
                            rows: rows, file: file)
        current.parameters = state.parameters
        optimizer.restore(state.optimizerBuffers)
        l1?.restore(total: state.l1Total, received: state.l1Received)
    }

    func save(into state: inout TrainingState) {
        state.parameters = current.parameters
        state.optimizerBuffers = optimizer.stateCopy
        if let l1 { (state.l1Total, state.l1Received) = (l1.total, l1.received) }
    }

    func accumulate(_ batch: Batch) {
        let model = current, gradients = gradients, scratch = scratch, workers = pool.workerCount
        let owned = combiner.ownedShards(of: batch.plan.shardCount)
        let ownedRows = owned.isEmpty ? 0 : batch.plan.range(of: owned.upperBound - 1).upperBound
            - batch.plan.range(of: owned.lowerBound).lowerBound
        // Every owned shard's entry is written below: reallocate only when the count changes.
        if shardFigures.count != owned.count { shardFigures = [StepFigures](repeating: .zero, count: owned.count) }
        shardFigures.withUnsafeMutableBufferPointer { figures in
            train.features.withUnsafeBufferPointer { x in
                pool.forEachShard(owned.count, cost: ownedRows * model.flopsPerSample) { k in
                    let shard = owned.lowerBound + k, range = batch.plan.range(of: shard)
                    let at = range.lowerBound
                    let (loss, correct) = model.computeGradient(
                        x: x.baseAddress!, labels: batch.labels + at, rows: batch.rows + at, count: range.count,
                        weights: batch.weights.map { $0 + at }, grad: gradients.buffer(shard).baseAddress!,
                        scratch: scratch.buffer(shard).baseAddress!,
                        ahead: batch.upcoming(after: shard, workers: workers, shards: owned))
                    figures[k] = StepFigures(loss: loss, correct: correct)
                }
            }
        }
    }

    func step(_ batch: Batch, eta: Float, t: Int, stop: Bool) -> StepOutcome {
        optimizer.beginStep(t)
        l1?.beginStep(eta: Double(eta))
        let optimizer = optimizer, l1 = l1, weightCount = current.weightCount, decay = regularization.decay
        let b = batch.count
        let figures = shardFigures
        return current.parameters.withUnsafeMutableBufferPointer { p in
            let parameters = p.baseAddress!
            return combiner.combine(gradients, figures: figures, shards: batch.plan.shardCount, stop: stop, pool: pool) {
                range, total in
                optimizer.step(parameters: parameters, gradient: total, range: range, weightCount: weightCount, eta: eta,
                               batchSize: b, decay: decay)
                l1?.truncate(parameters: parameters, range: range)
            }
        }
    }

    func average(into averaged: inout [Float], k: Int) {
        current.parameters.withUnsafeBufferPointer { w in
            averaged.withUnsafeMutableBufferPointer { a in
                averageStep(averaged: a.baseAddress!, parameters: w.baseAddress!, count: a.count, k: Float(k))
            }
        }
    }

    func endEpoch() {}

    func model(averaged: [Float]?) -> M {
        guard let averaged else { return current }
        var m = current
        m.parameters = averaged
        return m
    }

    func evaluate(_ data: Dataset, averaged: [Float]?) -> Evaluation {
        Evaluation(model: model(averaged: averaged), data: data, pool: pool)
    }

    func penaltyValue(averaged: [Float]?) -> Double {
        options.penalty.value(model(averaged: averaged).penalizedWeights, l1Ratio: options.l1Ratio)
    }

    func zeroWeightFraction(averaged: [Float]?) -> Double { model(averaged: averaged).zeroWeightFraction }
}
