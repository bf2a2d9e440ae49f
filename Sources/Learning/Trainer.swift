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
}

/// The outcome of ``Trainer/train(_:on:test:validation:onEpoch:)``.
public struct TrainingRun<M: Classifier>: Sendable {
    public var model: M
    public var epochs: [EpochReport]
    public var stopReason: StopReason
    /// SGD steps taken (the schedule's t at the end).
    public var steps: Int
    public var seconds: Double

    /// The same run with the model wrapped (for example as a ``Model``).
    func map<N>(_ wrap: (M) -> N) -> TrainingRun<N> {
        TrainingRun<N>(model: wrap(model), epochs: epochs, stopReason: stopReason, steps: steps, seconds: seconds)
    }
}

/// Mini-batch SGD on the data-parallel engine.
///
/// Each step takes the next B rows of the epoch's permutation, cuts them into shards by a
/// ``ShardPlan`` that depends only on B, lets every shard add its rows' (p - y) x^T into its
/// own buffer, sums the buffers along the fixed pairwise tree and takes one regularised
/// step (see ``sgdStep(parameters:gradient:weightCount:eta:batchSize:alpha:penalty:)``).
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
    ///   - onEpoch: called after every epoch, in order.
    /// - Throws: ``LearningError/training(message:)`` when the loss or a weight becomes non-finite.
    public func train(
        _ start: LinearModel, on train: Dataset, test: Dataset? = nil, validation: Dataset? = nil,
        onEpoch: (EpochReport) -> Void = { _ in }
    ) throws(LearningError) -> TrainingRun<LinearModel> {
        try run(start, on: train, test: test, validation: validation, onEpoch: onEpoch)
    }

    /// Trains a network from its current parameters (see the linear model's overload).
    public func train(
        _ start: MLP, on train: Dataset, test: Dataset? = nil, validation: Dataset? = nil,
        onEpoch: (EpochReport) -> Void = { _ in }
    ) throws(LearningError) -> TrainingRun<MLP> {
        try run(start, on: train, test: test, validation: validation, onEpoch: onEpoch)
    }

    /// Trains any model (see the linear model's overload).
    public func train(
        _ start: Model, on train: Dataset, test: Dataset? = nil, validation: Dataset? = nil,
        onEpoch: (EpochReport) -> Void = { _ in }
    ) throws(LearningError) -> TrainingRun<Model> {
        switch start {
        case .linear(let m): try run(m, on: train, test: test, validation: validation, onEpoch: onEpoch).map(Model.linear)
        case .mlp(let m): try run(m, on: train, test: test, validation: validation, onEpoch: onEpoch).map(Model.mlp)
        }
    }

    /// The training loop, specialised for each model type.
    func run<M: TrainableModel>(
        _ start: M, on train: Dataset, test: Dataset?, validation: Dataset?, onEpoch: (EpochReport) -> Void
    ) throws(LearningError) -> TrainingRun<M> {
        precondition(train.count > 0 && train.featureCount == start.featureCount)
        var model = start
        let n = train.count
        let batchSize = min(options.batchSize, n)
        let schedule = LearningRateSchedule(options)
        let alpha = Float(options.alpha)
        let weightCount = model.weightCount
        let penalty = options.penalty
        let optimizer = OptimizerState(options, parameterCount: model.parameters.count)
        let flopsPerSample = model.flopsPerSample
        let grads = ShardBuffers(shardCount: Self.plan(batchRows: batchSize).shardCount, length: model.parameters.count)
        let scratch = ShardBuffers(shardCount: grads.shardCount,
                                   length: model.scratchLength(rows: Self.maxShardRows(batchSize: batchSize)))
        var order = (0..<Int32(n)).map { $0 }
        var orderedLabels = train.labels
        // Each row's weight (sample weight times class weight) in the epoch's order, like the
        // labels; nil when training is unweighted, so the kernels take their unweighted loops.
        let rowWeights = options.rowWeights(for: train, heldOut: options.earlyStopping ? validation : nil)
        let orderedWeights = UnsafeMutableBufferPointer<Float>.allocate(capacity: rowWeights?.count ?? 0)
        defer { orderedWeights.deallocate() }
        if let rowWeights { _ = orderedWeights.initialize(fromContentsOf: rowWeights) }
        let weightsBase: UnsafePointer<Float>? = rowWeights == nil ? nil : UnsafePointer(orderedWeights.baseAddress!)
        var rng = SplitMix64(seed: options.seed)
        var reports: [EpochReport] = []
        var t = 0
        var bestLoss = Double.infinity
        var epochsWithoutImprovement = 0
        // The "adaptive" schedule's divisor: 5^k after k stalls.
        var adaptiveDivisor = 1.0
        let validating = options.earlyStopping && (validation?.count ?? 0) > 0
        var bestParameters = model.parameters
        // Averaged SGD: avg_k = avg_{k-1} + (w - avg_{k-1}) / k over the steps taken once
        // `averageAfter` samples have been seen; the averaged parameters are the model.
        var averaged = model.parameters
        var averagedSteps = 0
        var samplesSeen = 0
        func current() -> M {
            guard averagedSteps > 0 else { return model }
            var m = model
            m.parameters = averaged
            return m
        }
        var stop = StopReason.maxEpochs
        let runStart = Date()

        for epoch in 1...options.epochs {
            let epochStart = Date()
            if options.shuffle {
                rng.shuffle(&order)
                for i in 0..<n { orderedLabels[i] = train.labels[Int(order[i])] }
                if let rowWeights { for i in 0..<n { orderedWeights[i] = rowWeights[Int(order[i])] } }
            }
            var lossSum = 0.0
            var correct = 0
            var eta = 0.0
            train.features.withUnsafeBufferPointer { x in
                order.withUnsafeBufferPointer { rows in
                    orderedLabels.withUnsafeBufferPointer { ys in
                        var first = 0
                        while first < n {
                            let b = min(batchSize, n - first)
                            let plan = Self.plan(batchRows: b)
                            let stats = pool.mapReduce(plan, cost: b * flopsPerSample, map: { shard, range in
                                return model.computeGradient(
                                    x: x.baseAddress!, labels: ys.baseAddress! + first + range.lowerBound,
                                    rows: rows.baseAddress! + first + range.lowerBound, count: range.count,
                                    weights: weightsBase.map { $0 + first + range.lowerBound },
                                    grad: grads.buffer(shard).baseAddress!, scratch: scratch.buffer(shard).baseAddress!)
                            }, combine: { a, b in (loss: a.loss + b.loss, correct: a.correct + b.correct) })!
                            lossSum += stats.loss
                            correct += stats.correct
                            t += 1
                            eta = schedule.rate(step: t) / adaptiveDivisor
                            let etaStep = Float(eta)
                            optimizer.beginStep(t)
                            // Sum the shards' gradients and step each chunk of parameters as soon
                            // as its chunk of the gradient is complete.
                            model.parameters.withUnsafeMutableBufferPointer { p in
                                let params = p.baseAddress!
                                if optimizer.isPlainSGD {
                                    grads.reduce(shards: plan.shardCount, pool: pool) { range, total in
                                        sgdStep(parameters: params, gradient: total, range: range, weightCount: weightCount,
                                                eta: etaStep, batchSize: b, alpha: alpha, penalty: penalty)
                                    }
                                    return
                                }
                                optimizer.withState { state in
                                    grads.reduce(shards: plan.shardCount, pool: pool) { range, total in
                                        optimizer.step(parameters: params, gradient: total, state: state, range: range,
                                                       weightCount: weightCount, eta: etaStep, batchSize: b, alpha: alpha,
                                                       penalty: penalty)
                                    }
                                }
                            }
                            first += b
                            samplesSeen += b
                            if let after = options.averageAfter, samplesSeen >= after {
                                averagedSteps += 1
                                let k = Float(averagedSteps)
                                model.parameters.withUnsafeBufferPointer { w in
                                    averaged.withUnsafeMutableBufferPointer { a in
                                        for i in 0..<a.count { a[i] += (w[i] - a[i]) / k }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let seconds = Date().timeIntervalSince(epochStart)
            let loss = lossSum / Double(n)
            if !loss.isFinite || !model.parameters.allSatisfy(\.isFinite) {
                throw .training(message: "epoch \(epoch): the loss or the weights became non-finite (loss \(loss)); "
                    + "try a smaller eta0, another learning_rate schedule, or data.standardize = true")
            }
            var report = EpochReport(
                epoch: epoch, loss: loss, accuracy: Double(correct) / Double(n), learningRate: eta,
                seconds: seconds, samplesPerSecond: Double(n) / max(seconds, 1e-9))
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
            reports.append(report)
            onEpoch(report)

            if let budget = options.maxSeconds, Date().timeIntervalSince(runStart) >= budget, epoch < options.epochs {
                stop = .timeBudget
                break
            }
            // scikit-learn's rule: an epoch whose loss is not below best - tol counts as
            // no improvement; n_iter_no_change of them in a row end training, or, with the
            // "adaptive" schedule, divide the rate by 5 (ending training below 1e-6).
            // With early stopping the rule runs on the validation accuracy (higher is better;
            // scikit-learn's "score"), and the best epoch's parameters are kept.
            let criterion = validating ? -report.validationAccuracy! : loss
            if validating && criterion < bestLoss { bestParameters = current().parameters }
            if let tol = options.tol {
                epochsWithoutImprovement = criterion > bestLoss - tol ? epochsWithoutImprovement + 1 : 0
                bestLoss = min(bestLoss, criterion)
                if epochsWithoutImprovement >= options.nIterNoChange {
                    if options.learningRate == .adaptive {
                        adaptiveDivisor *= 5
                        epochsWithoutImprovement = 0
                        if options.eta0 / adaptiveDivisor >= 1e-6 { continue }
                    }
                    stop = validating ? .earlyStopping : .converged
                    break
                }
            } else if validating {
                bestLoss = min(bestLoss, criterion)
            }
        }
        if validating {
            model.parameters = bestParameters
        } else {
            model = current()
        }
        return TrainingRun(model: model, epochs: reports, stopReason: stop, steps: t,
                           seconds: Date().timeIntervalSince(runStart))
    }
}
