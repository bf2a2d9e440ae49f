import DataParallel
import Foundation

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

/// Mini-batch SGD for linear models on sparse (CSR) rows: LIBSVM data trains here without a
/// dense copy, in time per step proportional to the batch's stored entries times the outputs.
///
/// Each step takes the next B rows of the epoch's permutation and cuts them by the same
/// ``ShardPlan`` as the dense trainer (``Trainer/plan(batchRows:)``). A shard computes its rows'
/// scores z = b + W x over their entries, p - y with the dense models' loss kernels, and the
/// gradient of only the features its rows touch (``sparseShardGradient``). The shards'
/// gradients are summed in shard order, so the result is bitwise the same for any worker
/// count, and the step changes only the touched weights:
///
/// - **l2** (and the l2 part of elasticnet): W = scale * V. The decay W <- (1 - eta alpha) W
///   multiplies `scale` (O(1)); the gradient step divides by it. When |scale| falls below
///   ``foldThreshold`` it is folded into V (O(d K), rare). The bias is not decayed.
/// - **l1**: the cumulative truncation applied lazily (``LazyL1``): to a weight when a step
///   touches its feature, and to every weight at the end of each epoch. The forward pass reads
///   a weight as if it were settled, so for pure l1 the steps are the dense path's (up to
///   rounding); with elasticnet the decay and the truncation of an untouched weight come in
///   another order than on the dense path, a second-order difference.
///
/// Options that would change every weight at every step (adam, momentum, averaging) are
/// rejected. Per epoch, the stopping rule's penalty, the finiteness check and the l1
/// settlement read every weight once (O(d K) per epoch, not per step).
public final class SparseTrainer {
    public let options: TrainingOptions
    public let pool: WorkerPool
    /// The work of the last ``train(_:on:test:validation:resume:control:onEpoch:)``.
    public private(set) var work = SparseTrainingWork()

    /// Below this |scale| the scale is folded into the weights.
    public static let foldThreshold = 1e-6

    public init(options: TrainingOptions, pool: WorkerPool) {
        self.options = options
        self.pool = pool
    }

    /// The options the sparse path cannot honour, as the config error a config file gets.
    public static func check(_ options: TrainingOptions, file: String = "<training options>") throws(LearningError) {
        try Config.checkSparseOptions(options, ConfigReader(file: file))
    }

    /// Trains `start` on sparse rows (see the dense ``Trainer/train(_:on:test:validation:resume:control:onEpoch:)``
    /// for the parameters). A `resume` state comes from a sparse run: its parameters hold V
    /// and its `weightScale` the scale.
    /// - Throws: a config error for options the sparse path rejects;
    ///   ``LearningError/training(message:)`` when the loss or a weight becomes non-finite.
    public func train(
        _ start: LinearModel, on train: SparseDataset, test: SparseDataset? = nil, validation: SparseDataset? = nil,
        resume: TrainingState? = nil, control: TrainingControl = TrainingControl(),
        onEpoch: (EpochReport) -> Void = { _ in }
    ) throws(LearningError) -> TrainingRun<LinearModel> {
        try Self.check(options)
        precondition(train.count > 0 && train.featureCount == start.featureCount && train.classes.count == start.classCount)
        work = SparseTrainingWork()
        let n = train.count, d = start.featureCount, o = start.outputCount
        let batchSize = min(options.batchSize, n)
        let batchesPerEpoch = (n + batchSize - 1) / batchSize
        let schedule = LearningRateSchedule(options)
        let decay = Float(options.alpha * options.penalty.l2Share(l1Ratio: options.l1Ratio))
        let l1Strength = options.alpha * options.penalty.l1Share(l1Ratio: options.l1Ratio)
        let l1 = l1Strength > 0 ? LazyL1(strength: l1Strength, weightCount: d * o) : nil
        let validating = options.earlyStopping && (validation?.count ?? 0) > 0

        var w = SparseLinearWeights(start)
        var st = resume ?? TrainingState(parameters: start.parameters, seed: options.seed)
        if let resume {
            try resume.checkFits(parameters: start.parameters.count, optimizerBuffers: 0,
                                 l1Received: l1 == nil ? 0 : start.weightCount, averaging: false, rows: n,
                                 file: control.checkpointFile)
            guard resume.weightScale.isFinite, resume.weightScale != 0 else {
                throw .modelFile(file: control.checkpointFile,
                                 message: "state.weight_scale is \(resume.weightScale); the sparse path needs a finite, non-zero scale")
            }
            w = SparseLinearWeights(kind: start.kind, featureCount: d, classCount: start.classCount,
                                    parameters: resume.parameters, scale: resume.weightScale)
            l1?.restore(total: resume.l1Total,
                        received: SparseLinearWeights.featureMajor(resume.l1Received, outputs: o, features: d,
                                                                   stride: start.stride))
        }
        /// The state with the weights as V in the dense layout and the scale beside them.
        func snapshot() -> TrainingState {
            var s = st
            s.parameters = w.unscaledParameters
            s.weightScale = w.scale
            if let l1 {
                s.l1Total = l1.total
                s.l1Received = SparseLinearWeights.classMajor(l1.received, outputs: o, features: d)
            }
            return s
        }

        // Per-shard buffers, sized for the largest batch; the features -> entry maps are per
        // running shard (at most one per worker), each d entries of -1 between uses.
        let shardCount = Trainer.plan(batchRows: batchSize).shardCount
        let maxRows = Trainer.maxShardRows(batchSize: batchSize)
        let scratch = ShardBuffers(shardCount: shardCount, length: maxRows * o + maxRows)
        let parts = (0..<shardCount).map { _ in SparseGradient(outputs: o) }
        let sum = SparseGradientSum(featureCount: shardCount > 1 ? d : 1, outputs: o)
        let mapCount = max(1, min(shardCount, pool.workerCount))
        let maps = (0..<mapCount).map { _ -> UnsafeMutablePointer<Int32> in
            let m = UnsafeMutablePointer<Int32>.allocate(capacity: d)
            m.initialize(repeating: -1, count: d)
            return m
        }
        defer { for m in maps { m.deallocate() } }
        let mapSlots = ScratchSlots(count: mapCount)

        var stop = StopReason.maxEpochs
        let runStart = Date()
        var order = [Int32](repeating: 0, count: n)
        var orderedLabels = train.labels
        let rowWeights = options.rowWeights(for: train, heldOut: options.earlyStopping ? validation : nil)
        var orderedWeights = rowWeights ?? []

        while st.epoch <= options.epochs {
            let epoch = st.epoch
            let epochStart = Date()
            for i in 0..<n { order[i] = Int32(i) }
            var rng = SplitMix64(seed: st.epochRandomState)
            if options.shuffle {
                rng.shuffle(&order)
                for i in 0..<n { orderedLabels[i] = train.labels[Int(order[i])] }
                if let rowWeights { for i in 0..<n { orderedWeights[i] = rowWeights[Int(order[i])] } }
            }
            var interrupted = false
            train.withCSRRows { rows in
            order.withUnsafeBufferPointer { rowsInOrder in
            orderedLabels.withUnsafeBufferPointer { ys in
            orderedWeights.withUnsafeBufferPointer { ws in
                let offsets = rows.offsets
                let weightsBase = rowWeights == nil ? nil : ws.baseAddress
                while st.position < n {
                    let first = st.position
                    let b = min(batchSize, n - first)
                    let plan = Trainer.plan(batchRows: b)
                    var entries = 0
                    for i in first..<(first + b) {
                        let r = Int(rowsInOrder[i])
                        entries += offsets[r + 1] - offsets[r]
                    }
                    let stats = w.v.withUnsafeBufferPointer { v in
                        w.bias.withUnsafeBufferPointer { bias in
                            pool.mapReduce(plan, cost: entries * o * 6, map: { shard, range in
                                let slot = mapSlots.acquire()
                                defer { mapSlots.release(slot) }
                                let at = first + range.lowerBound
                                let z = scratch.buffer(shard).baseAddress!
                                return sparseShardGradient(
                                    rows: rows, order: rowsInOrder.baseAddress! + at, labels: ys.baseAddress! + at,
                                    weights: weightsBase.map { $0 + at }, count: range.count, kind: w.kind, o: o,
                                    v: v.baseAddress!, b: bias.baseAddress!, scale: Float(w.scale), owed: l1?.owed, z: z,
                                    shifted: z + maxRows * o, slots: maps[slot], out: parts[shard])
                            }, combine: { a, b in (loss: a.loss + b.loss, correct: a.correct + b.correct) })!
                        }
                    }
                    st.epochLossSum += stats.loss
                    st.epochCorrect += stats.correct
                    st.step += 1
                    st.learningRate = schedule.rate(step: st.step) / st.adaptiveDivisor
                    let eta = Float(st.learningRate)
                    l1?.beginStep(eta: Double(eta))
                    let gradient = sum.sum(parts, count: plan.shardCount)
                    if decay > 0 {
                        // W <- (1 - eta alpha) W, in the scale alone.
                        w.scale *= 1 - Double(eta) * Double(decay)
                        if abs(w.scale) < Self.foldThreshold {
                            w.fold()
                            work.folds += 1
                            work.weightsFolded += w.v.count
                        }
                    }
                    sparseStep(&w, gradient: gradient, eta: eta, batchSize: b, l1: l1, pool: pool)
                    work.steps += 1
                    work.weightsUpdated += gradient.count * o
                    work.mostWeightsInAStep = max(work.mostWeightsInAStep, gradient.count * o)
                    work.batchEntries += entries
                    st.position += b
                    st.samplesSeen += b
                    control.onProgress?(st.progress(epochs: options.epochs, batchSize: batchSize, batchesInEpoch: batchesPerEpoch,
                                                      rows: n, epochStart: epochStart))
                    if st.position < n, control.shouldStop() {
                        interrupted = true
                        return
                    }
                }
            }
            }
            }
            }
            st.epochSeconds += Date().timeIntervalSince(epochStart)
            if interrupted {
                st.elapsed += Date().timeIntervalSince(runStart)
                return TrainingRun(model: w.linearModel, epochs: st.reports, stopReason: .interrupted, steps: st.step,
                                   seconds: st.elapsed, state: snapshot())
            }
            // Every weight receives the l1 penalty it is owed, so the reports, the stopping
            // rule and the model see the whole penalty.
            if let l1 {
                l1.truncateAll(&w)
                work.l1Settlements += 1
            }
            var report = try st.epochReport(rows: n, weightsAreFinite: w.isFinite)
            let loss = report.loss
            func evaluate(_ data: SparseDataset) -> Evaluation {
                Evaluation(scores: w.score(data, pool: pool), labels: data.labels, classes: data.classes,
                           unseenLabels: data.unseenLabels)
            }
            if let test, test.count > 0 {
                let e = evaluate(test)
                report.testLoss = e.logLoss
                report.testAccuracy = e.accuracy
            }
            if validating, let validation {
                let e = evaluate(validation)
                report.validationLoss = e.logLoss
                report.validationAccuracy = e.accuracy
            }
            if l1 != nil { report.zeroFraction = w.zeroWeightFraction }
            onEpoch(report)
            st.startNextEpoch(after: report, randomState: rng.state)

            if let budget = options.maxSeconds, st.elapsed + Date().timeIntervalSince(runStart) >= budget,
               epoch < options.epochs {
                stop = .timeBudget
                break
            }
            let criterion = validating
                ? -report.validationAccuracy!
                : loss + options.alpha * w.penaltyValue(options.penalty, l1Ratio: options.l1Ratio)
            if validating && st.improvesOnBest(criterion) { st.bestParameters = w.linearModel.parameters }
            if let reason = st.applyStoppingRule(criterion: criterion, validating: validating, options: options) {
                stop = reason
                break
            }
            if let every = control.checkpointEvery, epoch % every == 0, epoch < options.epochs {
                var s = snapshot()
                s.elapsed += Date().timeIntervalSince(runStart)
                try control.onCheckpoint(s)
            }
        }
        st.elapsed += Date().timeIntervalSince(runStart)
        let final = snapshot()
        var model = w.linearModel
        if validating, let best = st.bestParameters { model.parameters = best }
        return TrainingRun(model: model, epochs: st.reports, stopReason: stop, steps: st.step, seconds: st.elapsed,
                           state: final)
    }
}
