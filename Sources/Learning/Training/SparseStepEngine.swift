import DataParallel

/// What the sparse path did, counted as it went: the tests check that a step's work follows
/// the batch's non-zeros, not the feature count.
public struct SparseTrainingWork: Sendable, Equatable {
    public var steps = 0
    /// Weights changed by steps (touched features x outputs, summed over steps).
    public var weightsUpdated = 0
    /// The most weights one step changed.
    public var mostWeightsInAStep = 0
    /// Stored entries of the batches (summed over steps).
    public var batchEntries = 0
    /// Times the weight scale was folded into the weights (O(d K) each), and the weights that
    /// cost; the same for the end-of-epoch l1 settlement.
    public var folds = 0
    public var weightsFolded = 0
    public var l1Settlements = 0
    public init() {}
}

/// Steps of a linear model on sparse (CSR) rows, in time per step proportional to the
/// batch's stored entries times the outputs.
///
/// A shard computes its rows' scores z = b + W x over their entries, p - y with the dense
/// models' loss kernels, and the gradient of only the features its rows touch
/// (``sparseShardGradient``); the combiner sums the shards' gradients in shard order, and the
/// step changes only the touched weights:
///
/// - **l2** (and the l2 part of elasticnet): W = scale * V. The decay W <- (1 - eta alpha) W
///   multiplies `scale` (O(1)); the gradient step divides by it. When |scale| falls below
///   ``SparseTrainer/foldThreshold`` it is folded into V (O(d K), rare). The bias is not decayed.
/// - **l1**: the cumulative truncation applied lazily (``LazyL1``): to a weight when a step
///   touches its feature, and to every weight at the end of each epoch. The forward pass reads
///   a weight as if it were settled, so for pure l1 the steps are the dense path's (up to
///   rounding); with elasticnet the decay and the truncation of an untouched weight come in
///   another order than on the dense path, a second-order difference.
///
/// With "adagrad" or "ftrl" (``SparseAdaptiveOptimizer``) the rule applies the penalty itself
/// and the scale stays 1: a step changes only the touched weights and their state.
///
/// Per epoch, the stopping rule's penalty, the finiteness check and the l1 settlement read
/// every weight once (O(d K) per epoch, not per step).
final class SparseStepEngine: StepEngine {
    typealias Rows = SparseDataset
    private var w: SparseLinearWeights
    private let train: SparseDataset
    private let options: TrainingOptions
    private let pool: WorkerPool
    let combiner: any StepCombiner
    private let decay: Float
    private let l1: LazyL1?
    /// adagrad or ftrl; nil for sgd.
    private let adaptive: (any SparseAdaptiveOptimizer)?
    private let maxRows: Int
    private let scratch: ShardBuffers
    private let gradients: SparseShardGradients
    /// Feature -> gradient entry maps, one per running shard (at most one per worker), each d
    /// entries of -1 between uses.
    private let maps: [UnsafeMutablePointer<Int32>]
    private let mapSlots: ScratchSlots
    /// The stored entries of the batch of the last ``accumulate(_:)``.
    private var entries = 0
    /// The figures of the batch of the last ``accumulate(_:)``.
    private var batchFigures = StepFigures.zero
    private(set) var work = SparseTrainingWork()

    init(_ start: LinearModel, train: SparseDataset, options: TrainingOptions, pool: WorkerPool,
         combiner: any StepCombiner) {
        precondition(train.count > 0 && train.featureCount == start.featureCount && train.classes.count == start.classCount)
        let d = start.featureCount, o = start.outputCount
        w = SparseLinearWeights(start)
        self.train = train
        self.options = options
        self.pool = pool
        self.combiner = combiner
        let regularization = Regularization(options)
        adaptive = makeSparseAdaptiveOptimizer(options, featureCount: d, outputs: o)
        (adaptive as? SparseFTRL)?.start(from: w, alpha: Float(options.eta0))
        decay = adaptive == nil ? regularization.decay : 0
        l1 = regularization.hasL1 && adaptive == nil ? LazyL1(strength: regularization.l1Strength, weightCount: d * o) : nil
        // Per-shard buffers, sized for the largest batch.
        let batches = Batches(batchSize: options.batchSize, rows: train.count)
        let shardCount = batches.maxShards
        maxRows = batches.maxShardRows
        scratch = ShardBuffers(shardCount: shardCount, length: maxRows * o + maxRows)
        gradients = SparseShardGradients(shards: shardCount, featureCount: d, outputs: o)
        let mapCount = max(1, min(shardCount, pool.workerCount))
        maps = (0..<mapCount).map { _ -> UnsafeMutablePointer<Int32> in
            let m = UnsafeMutablePointer<Int32>.allocate(capacity: d)
            m.initialize(repeating: -1, count: d)
            return m
        }
        mapSlots = ScratchSlots(count: mapCount)
    }

    deinit { for m in maps { m.deallocate() } }

    /// The weights as V in the dense layout (the scale is saved beside them).
    var parameters: [Float] { w.unscaledParameters }
    var parametersAreFinite: Bool { w.isFinite }

    func restore(_ state: TrainingState, rows: Int, file: String) throws(LearningError) {
        let d = w.featureCount, o = w.outputCount
        let parameterCount = o * (LinearModel.stride(d) + 1)
        try state.checkFits(parameters: parameterCount, optimizerBuffers: adaptive?.stateCount ?? 0,
                            l1Received: l1 == nil ? 0 : o * LinearModel.stride(d), averaging: false, rows: rows, file: file)
        guard state.weightScale.isFinite, state.weightScale != 0 else {
            throw .modelFile(file: file,
                             message: "state.weight_scale is \(state.weightScale); the sparse path needs a finite, non-zero scale")
        }
        w = SparseLinearWeights(kind: w.kind, featureCount: d, classCount: w.classCount, parameters: state.parameters,
                                scale: state.weightScale)
        adaptive?.restore(state.optimizerBuffers)
        l1?.restore(total: state.l1Total,
                    received: SparseLinearWeights.featureMajor(state.l1Received, outputs: o, features: d,
                                                               stride: LinearModel.stride(d)))
    }

    func save(into state: inout TrainingState) {
        state.parameters = w.unscaledParameters
        state.weightScale = w.scale
        if let adaptive { state.optimizerBuffers = adaptive.stateCopy }
        if let l1 {
            state.l1Total = l1.total
            state.l1Received = SparseLinearWeights.classMajor(l1.received, outputs: w.outputCount, features: w.featureCount)
        }
    }

    func accumulate(_ batch: Batch) {
        let o = w.outputCount, kind = w.kind, scale = Float(w.scale), owed = l1?.owed
        let maxRows = maxRows, scratch = scratch, parts = gradients.parts, maps = maps, mapSlots = mapSlots
        batchFigures = train.withCSRRows { rows in
            var entries = 0
            for i in 0..<batch.count {
                let r = Int(batch.rows[i])
                entries += rows.offsets[r + 1] - rows.offsets[r]
            }
            self.entries = entries
            return w.v.withUnsafeBufferPointer { v in
                w.bias.withUnsafeBufferPointer { bias in
                    pool.mapReduce(batch.plan, cost: entries * o * 6, map: { shard, range in
                        let slot = mapSlots.acquire()
                        defer { mapSlots.release(slot) }
                        let at = range.lowerBound
                        let z = scratch.buffer(shard).baseAddress!
                        let (loss, correct) = sparseShardGradient(
                            rows: rows, order: batch.rows + at, labels: batch.labels + at,
                            weights: batch.weights.map { $0 + at }, count: range.count, kind: kind, o: o,
                            v: v.baseAddress!, b: bias.baseAddress!, scale: scale, owed: owed, z: z,
                            shifted: z + maxRows * o, slots: maps[slot], out: parts[shard])
                        return StepFigures(loss: loss, correct: correct)
                    }, combine: +)!
                }
            }
        }
    }

    func step(_ batch: Batch, eta: Float, t: Int, stop: Bool) -> StepOutcome {
        l1?.beginStep(eta: Double(eta))
        let outcome = combiner.combine(gradients, figures: batchFigures, shards: batch.plan.shardCount, stop: stop)
        let gradient = gradients.total
        if decay > 0 {
            // W <- (1 - eta alpha) W, in the scale alone.
            w.scale *= 1 - Double(eta) * Double(decay)
            if abs(w.scale) < SparseTrainer.foldThreshold {
                w.fold()
                work.folds += 1
                work.weightsFolded += w.v.count
            }
        }
        if let adaptive {
            adaptive.step(&w, gradient: gradient, eta: eta, batchSize: batch.count, pool: pool)
        } else {
            sparseStep(&w, gradient: gradient, eta: eta, batchSize: batch.count, l1: l1, pool: pool)
        }
        let o = w.outputCount
        work.steps += 1
        work.weightsUpdated += gradient.count * o
        work.mostWeightsInAStep = max(work.mostWeightsInAStep, gradient.count * o)
        work.batchEntries += entries
        return outcome
    }

    func average(into averaged: inout [Float], k: Int) {
        preconditionFailure("the sparse path does not average (training.average is refused for LIBSVM data)")
    }

    /// Every weight receives the l1 penalty it is owed, so the reports, the stopping rule and
    /// the model see the whole penalty.
    func endEpoch() {
        guard let l1 else { return }
        l1.truncateAll(&w)
        work.l1Settlements += 1
    }

    func model(averaged: [Float]?) -> LinearModel { w.linearModel }

    func evaluate(_ data: SparseDataset, averaged: [Float]?) -> Evaluation {
        Evaluation(scores: w.score(data, pool: pool), labels: data.labels, classes: data.classes,
                   unseenLabels: data.unseenLabels)
    }

    func penaltyValue(averaged: [Float]?) -> Double { w.penaltyValue(options.penalty, l1Ratio: options.l1Ratio) }

    func zeroWeightFraction(averaged: [Float]?) -> Double { w.zeroWeightFraction }
}
