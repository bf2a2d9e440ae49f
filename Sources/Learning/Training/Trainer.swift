import DataParallel
import Foundation

/// What one epoch did. `loss` and `accuracy` are running values over the epoch: each
/// sample's loss and prediction with the weights before the step that used it (as
/// scikit-learn's verbose "avg. loss"), so they cost nothing extra.
public struct EpochReport: Sendable, Equatable {
    public var epoch: Int
    /// Mean data loss over the epoch's samples (no penalty term); with sample or class
    /// weights, (1/n) sum_i w_i L_i, the data term of the weighted objective.
    public var loss: Double
    public var accuracy: Double
    /// The rate of the epoch's last step.
    public var learningRate: Double
    /// Wall seconds of the epoch's steps (test scoring not included).
    public var seconds: Double
    public var samplesPerSecond: Double
    /// Loss and accuracy on the test set with the weights at the end of the epoch.
    public var testLoss: Double?
    public var testAccuracy: Double?
    /// The same on the validation set held out for early stopping.
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// With an l1 or elasticnet penalty: the fraction of weights (padding not counted) that
    /// are exactly zero at the end of the epoch.
    public var zeroFraction: Double?
}

/// Why training ended.
public enum StopReason: String, Sendable {
    /// `epochs` were run.
    case maxEpochs = "max_epochs"
    /// The training loss did not improve by `tol` for `n_iter_no_change` epochs.
    case converged
    /// `max_seconds` ran out.
    case timeBudget = "max_seconds"
    /// The validation accuracy did not improve by `tol` for `n_iter_no_change` epochs.
    case earlyStopping = "early_stopping"
    /// The caller asked to stop (a signal); the run's state is where to resume.
    case interrupted
}

/// The outcome of ``Trainer/train(_:on:test:validation:onEpoch:)``.
public struct TrainingRun<M: Classifier>: Sendable {
    public var model: M
    public var epochs: [EpochReport]
    public var stopReason: StopReason
    /// SGD steps taken (the schedule's t at the end).
    public var steps: Int
    public var seconds: Double
    /// The state at the end: where an interrupted run resumes.
    public var state: TrainingState

    /// The same run with the model wrapped (for example as a ``Model``).
    func map<N>(_ wrap: (M) -> N) -> TrainingRun<N> {
        TrainingRun<N>(model: wrap(model), epochs: epochs, stopReason: stopReason, steps: steps, seconds: seconds,
                       state: state)
    }
}

/// Mini-batch SGD on the data-parallel engine.
///
/// Each step takes the next B rows of the epoch's permutation, cuts them into shards by a
/// ``ShardPlan`` that depends only on B, lets every shard add its rows' (p - y) x^T into its
/// own buffer, sums the buffers along the fixed pairwise tree and takes one regularised
/// step (see ``sgdStep(parameters:gradient:range:weightCount:eta:batchSize:decay:)``); an l1
/// penalty is then applied by cumulative truncation (``CumulativeL1``).
/// The same options and seed give the same bits for any worker count.
public final class Trainer {
    public let options: TrainingOptions
    public let pool: WorkerPool

    /// Rows per shard at the least, and the most shards per batch: a batch of B rows has
    /// clamp(B / 32, 1, 16) shards. Fixed, so the shard plan never depends on the worker count.
    /// (32 rows per shard halves the gradient buffers to sum compared with 16, about 5% of a
    /// W1 epoch; a batch of 256 still gives 8 shards, 512 gives 16.)
    public static let shardGrain = 32
    public static let maxShardsPerBatch = 16

    public init(options: TrainingOptions, pool: WorkerPool) {
        self.options = options
        self.pool = pool
    }

    /// The shard plan of a batch of `rows` rows.
    public static func plan(batchRows rows: Int) -> ShardPlan {
        ShardPlan(count: rows, grain: shardGrain, maxShards: maxShardsPerBatch)
    }

    /// The most rows any shard of a batch of up to `batchSize` rows can hold.
    static func maxShardRows(batchSize: Int) -> Int {
        // Beyond grain * maxShards rows the shard count is fixed and shard size grows with b.
        let limit = min(batchSize, shardGrain * maxShardsPerBatch)
        var most = 0
        for b in Set([batchSize] + Array(1...max(limit, 1))) where b <= batchSize {
            most = max(most, plan(batchRows: b).ranges.map(\.count).max() ?? 0)
        }
        return most
    }

    /// Trains `model` from its current parameters.
    /// - Parameters:
    ///   - train: labels must all be classes of the model (none negative).
    ///   - test: scored after every epoch when given.
    ///   - validation: with `early_stopping`, scored after every epoch; its accuracy replaces the
    ///     training loss in the stopping rule, and the run returns the parameters of the epoch
    ///     with the best validation accuracy.
    ///   - resume: a state from an earlier run of the same options, model shape and data (a
    ///     checkpoint): training continues from it exactly as that run would have.
    ///   - control: checkpoints, interruption and progress reports.
    ///   - onEpoch: called after every epoch, in order.
    /// - Throws: ``LearningError/training(message:)`` when the loss or a weight becomes non-finite.
    public func train(
        _ start: LinearModel, on train: Dataset, test: Dataset? = nil, validation: Dataset? = nil,
        resume: TrainingState? = nil, control: TrainingControl = TrainingControl(),
        onEpoch: (EpochReport) -> Void = { _ in }
    ) throws(LearningError) -> TrainingRun<LinearModel> {
        try run(start, on: train, test: test, validation: validation, resume: resume, control: control, onEpoch: onEpoch)
    }

    /// Trains a network from its current parameters (see the linear model's overload).
    public func train(
        _ start: MLP, on train: Dataset, test: Dataset? = nil, validation: Dataset? = nil,
        resume: TrainingState? = nil, control: TrainingControl = TrainingControl(),
        onEpoch: (EpochReport) -> Void = { _ in }
    ) throws(LearningError) -> TrainingRun<MLP> {
        try run(start, on: train, test: test, validation: validation, resume: resume, control: control, onEpoch: onEpoch)
    }

    /// Trains any model (see the linear model's overload).
    public func train(
        _ start: Model, on train: Dataset, test: Dataset? = nil, validation: Dataset? = nil,
        resume: TrainingState? = nil, control: TrainingControl = TrainingControl(),
        onEpoch: (EpochReport) -> Void = { _ in }
    ) throws(LearningError) -> TrainingRun<Model> {
        switch start {
        case .linear(let m):
            try run(m, on: train, test: test, validation: validation, resume: resume, control: control, onEpoch: onEpoch)
                .map(Model.linear)
        case .mlp(let m):
            try run(m, on: train, test: test, validation: validation, resume: resume, control: control, onEpoch: onEpoch)
                .map(Model.mlp)
        }
    }

    /// The training loop, specialised for each model type. Everything that changes from
    /// step to step lives in a ``TrainingState``, so that a checkpoint is a copy of it.
    func run<M: TrainableModel>(
        _ start: M, on train: Dataset, test: Dataset?, validation: Dataset?, resume: TrainingState?,
        control: TrainingControl, onEpoch: (EpochReport) -> Void
    ) throws(LearningError) -> TrainingRun<M> {
        precondition(train.count > 0 && train.featureCount == start.featureCount)
        var model = start
        let n = train.count
        let batchSize = min(options.batchSize, n)
        let batchesPerEpoch = (n + batchSize - 1) / batchSize
        let schedule = LearningRateSchedule(options)
        let weightCount = model.weightCount
        let decay = Float(options.alpha * options.penalty.l2Share(l1Ratio: options.l1Ratio))
        let l1Strength = options.alpha * options.penalty.l1Share(l1Ratio: options.l1Ratio)
        let l1 = l1Strength > 0 ? CumulativeL1(strength: l1Strength, weightCount: weightCount) : nil
        let optimizer = OptimizerState(options, parameterCount: model.parameters.count)
        let flopsPerSample = model.flopsPerSample
        let grads = ShardBuffers(shardCount: Self.plan(batchRows: batchSize).shardCount, length: model.parameters.count)
        let scratch = ShardBuffers(shardCount: grads.shardCount,
                                   length: model.scratchLength(rows: Self.maxShardRows(batchSize: batchSize)))
        let validating = options.earlyStopping && (validation?.count ?? 0) > 0

        var st = resume ?? TrainingState(parameters: model.parameters, seed: options.seed)
        if let resume {
            try resume.checkFits(parameters: model.parameters.count, optimizerBuffers: optimizer.stateCount,
                                 l1Received: l1 == nil ? 0 : weightCount, averaging: options.averageAfter != nil, rows: n,
                                 file: control.checkpointFile)
            model.parameters = resume.parameters
            optimizer.restore(resume.optimizerBuffers)
            l1?.restore(total: resume.l1Total, received: resume.l1Received)
        } else if options.averageAfter != nil {
            // Averaged SGD: avg_k = avg_{k-1} + (w - avg_{k-1}) / k over the steps taken once
            // `averageAfter` samples have been seen; the averaged parameters are the model.
            st.averaged = model.parameters
        }
        func current() -> M {
            guard st.averagedSteps > 0, let averaged = st.averaged else { return model }
            var m = model
            m.parameters = averaged
            return m
        }
        /// Copies the parts of the state kept outside `st` during the loop.
        func snapshot() -> TrainingState {
            var s = st
            s.parameters = model.parameters
            s.optimizerBuffers = optimizer.buffersCopy
            if let l1 { (s.l1Total, s.l1Received) = (l1.total, l1.received) }
            return s
        }
        var stop = StopReason.maxEpochs
        let runStart = Date()
        var order = [Int32](repeating: 0, count: n)
        var orderedLabels = train.labels
        // Each row's weight (sample weight times class weight) in the epoch's order, like the
        // labels; nil when training is unweighted, so the kernels take their unweighted loops.
        let rowWeights = options.rowWeights(for: train, heldOut: options.earlyStopping ? validation : nil)
        let orderedWeights = UnsafeMutableBufferPointer<Float>.allocate(capacity: rowWeights?.count ?? 0)
        defer { orderedWeights.deallocate() }
        if let rowWeights { _ = orderedWeights.initialize(fromContentsOf: rowWeights) }
        let weightsBase: UnsafePointer<Float>? = rowWeights == nil ? nil : UnsafePointer(orderedWeights.baseAddress!)

        while st.epoch <= options.epochs {
            let epoch = st.epoch
            let epochStart = Date()
            // The epoch's permutation: the rows in order, shuffled by the generator as it was
            // at the epoch's start (so a resumed epoch sees the same order).
            for i in 0..<n { order[i] = Int32(i) }
            var rng = SplitMix64(seed: st.epochRandomState)
            if options.shuffle {
                rng.shuffle(&order)
                for i in 0..<n { orderedLabels[i] = train.labels[Int(order[i])] }
                if let rowWeights { for i in 0..<n { orderedWeights[i] = rowWeights[Int(order[i])] } }
            }
            var interrupted = false
            train.features.withUnsafeBufferPointer { x in
                order.withUnsafeBufferPointer { rows in
                    orderedLabels.withUnsafeBufferPointer { ys in
                        while st.position < n {
                            let first = st.position
                            let b = min(batchSize, n - first)
                            let plan = Self.plan(batchRows: b)
                            let stats = pool.mapReduce(plan, cost: b * flopsPerSample, map: { shard, range in
                                return model.computeGradient(
                                    x: x.baseAddress!, labels: ys.baseAddress! + first + range.lowerBound,
                                    rows: rows.baseAddress! + first + range.lowerBound, count: range.count,
                                    weights: weightsBase.map { $0 + first + range.lowerBound },
                                    grad: grads.buffer(shard).baseAddress!, scratch: scratch.buffer(shard).baseAddress!)
                            }, combine: { a, b in (loss: a.loss + b.loss, correct: a.correct + b.correct) })!
                            st.epochLossSum += stats.loss
                            st.epochCorrect += stats.correct
                            st.step += 1
                            st.learningRate = schedule.rate(step: st.step) / st.adaptiveDivisor
                            let etaStep = Float(st.learningRate)
                            optimizer.beginStep(st.step)
                            l1?.beginStep(eta: Double(etaStep))
                            // Sum the shards' gradients and step each chunk of parameters as soon
                            // as its chunk of the gradient is complete.
                            model.parameters.withUnsafeMutableBufferPointer { p in
                                let params = p.baseAddress!
                                if optimizer.isPlainSGD {
                                    grads.reduce(shards: plan.shardCount, pool: pool) { range, total in
                                        sgdStep(parameters: params, gradient: total, range: range, weightCount: weightCount,
                                                eta: etaStep, batchSize: b, decay: decay)
                                        l1?.truncate(parameters: params, range: range)
                                    }
                                    return
                                }
                                optimizer.withState { state in
                                    grads.reduce(shards: plan.shardCount, pool: pool) { range, total in
                                        optimizer.step(parameters: params, gradient: total, state: state, range: range,
                                                       weightCount: weightCount, eta: etaStep, batchSize: b, decay: decay)
                                        l1?.truncate(parameters: params, range: range)
                                    }
                                }
                            }
                            st.position += b
                            st.samplesSeen += b
                            if let after = options.averageAfter, st.samplesSeen >= after {
                                st.averagedSteps += 1
                                let k = Float(st.averagedSteps)
                                model.parameters.withUnsafeBufferPointer { w in
                                    st.averaged!.withUnsafeMutableBufferPointer { a in
                                        for i in 0..<a.count { a[i] += (w[i] - a[i]) / k }
                                    }
                                }
                            }
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
            st.epochSeconds += Date().timeIntervalSince(epochStart)
            if interrupted {
                st.elapsed += Date().timeIntervalSince(runStart)
                return TrainingRun(model: current(), epochs: st.reports, stopReason: .interrupted, steps: st.step,
                                   seconds: st.elapsed, state: snapshot())
            }
            var report = try st.epochReport(rows: n, weightsAreFinite: model.parameters.allSatisfy(\.isFinite))
            let loss = report.loss
            if let test, test.count > 0 {
                let e = Evaluation(model: current(), data: test, pool: pool)
                report.testLoss = e.logLoss
                report.testAccuracy = e.accuracy
            }
            if validating, let validation {
                let e = Evaluation(model: current(), data: validation, pool: pool)
                report.validationLoss = e.logLoss
                report.validationAccuracy = e.accuracy
            }
            if l1 != nil { report.zeroFraction = current().zeroWeightFraction }
            onEpoch(report)
            st.startNextEpoch(after: report, randomState: rng.state)

            if let budget = options.maxSeconds, st.elapsed + Date().timeIntervalSince(runStart) >= budget,
               epoch < options.epochs {
                stop = .timeBudget
                break
            }
            // scikit-learn's rule: an epoch whose objective (mean loss + alpha R(W)) is not
            // below best - tol counts as no improvement; n_iter_no_change of them in a row end
            // training, or, with the "adaptive" schedule, divide the rate by 5 (a stall at a rate
            // of 1e-6 or less ends training). scikit-learn adds alpha R(w) as w was at each sample; here R is
            // taken once, with the weights at the end of the epoch.
            // With early stopping the rule runs on the validation accuracy (higher is better;
            // scikit-learn's "score"), and the best epoch's parameters are kept.
            let criterion = validating
                ? -report.validationAccuracy!
                : loss + options.alpha * options.penalty.value(current().penalizedWeights, l1Ratio: options.l1Ratio)
            if validating && st.improvesOnBest(criterion) { st.bestParameters = current().parameters }
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
        if validating, let best = st.bestParameters {
            model.parameters = best
        } else {
            model = current()
        }
        return TrainingRun(model: model, epochs: st.reports, stopReason: stop, steps: st.step, seconds: st.elapsed,
                           state: final)
    }
}

/// How a caller steers a training run beyond its options.
public struct TrainingControl {
    /// Call `onCheckpoint` with the state after every `checkpointEvery` epochs (not after the last).
    public var checkpointEvery: Int?
    public var onCheckpoint: (TrainingState) throws(LearningError) -> Void
    /// Asked after every step; true ends the run there with ``StopReason/interrupted`` and
    /// the state to resume from.
    public var shouldStop: () -> Bool
    /// Called after every step.
    public var onProgress: ((TrainingProgress) -> Void)?
    /// The checkpoint file a `resume` state was read from, named in errors about it.
    public var checkpointFile = "<checkpoint>"

    public init(checkpointEvery: Int? = nil, onCheckpoint: @escaping (TrainingState) throws(LearningError) -> Void = { _ in },
                shouldStop: @escaping () -> Bool = { false }, onProgress: ((TrainingProgress) -> Void)? = nil) {
        self.checkpointEvery = checkpointEvery
        self.onCheckpoint = onCheckpoint
        self.shouldStop = shouldStop
        self.onProgress = onProgress
    }
}
