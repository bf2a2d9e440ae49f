import DataParallel
import Foundation
import Testing
@testable import Learning

/// Sparse labelled rows made by a seeded rule: row i has class c = i mod K and stores
/// `perRow` draws of entries (3 to 9 by default; repeats merge), about half in its class's own block of features (so the classes can be learnt)
/// and the rest anywhere; values are N(0.8, 0.6), so signs are mixed. `column` (increasing)
/// maps the generated feature (below `features`) to the stored one, to spread rows over a
/// larger `featureCount`.
func sparseRows(rows n: Int, features d: Int, classes k: Int, seed: UInt64, perRow: ClosedRange<Int> = 3...9,
                featureCount: Int? = nil, column: (Int) -> Int = { $0 }) -> SparseDataset {
    var rng = SplitMix64(seed: seed)
    let block = max(1, min(d / (2 * k), 10))
    var offsets = [0], columns: [Int32] = [], values: [Float] = [], labels: [Int32] = []
    for i in 0..<n {
        let c = i % k
        var picked = Set<Int>()
        for _ in 0..<(perRow.lowerBound + rng.nextInt(below: perRow.count)) {
            picked.insert(rng.nextUnit() < 0.5 ? (c * block + rng.nextInt(below: block)) % d : rng.nextInt(below: d))
        }
        for j in picked.sorted() {
            columns.append(Int32(column(j)))
            values.append(Float(0.8 + 0.6 * rng.nextGaussian()))
        }
        offsets.append(values.count)
        labels.append(Int32(c))
    }
    return SparseDataset(rowOffsets: offsets, columns: columns, values: values, labels: labels,
                         classes: (0..<k).map { "c\($0)" }, featureCount: featureCount ?? d)
}

/// Trains the same `rows` rows (3 classes) twice on 2 workers with `options`: in d = 1,000 and
/// spread over d = 1,000,000 features (generated feature j stored at j * 1000 + 7), and checks
/// that every step did the same work, bounded by the batch's entries x outputs, and that the
/// weights came out with the same bits, the untouched features at exactly 0.
/// - Returns: both runs and the large run's work, for the caller's own checks.
func expectSpreadRunsAgree(rows n: Int, options o: TrainingOptions) throws
    -> (small: TrainingRun<LinearModel>, large: TrainingRun<LinearModel>, work: SparseTrainingWork)
{
    let small = sparseRows(rows: n, features: 1000, classes: 3, seed: 40)
    let large = sparseRows(rows: n, features: 1000, classes: 3, seed: 40, featureCount: 1_000_000,
                           column: { $0 * 1000 + 7 })
    func start(_ data: SparseDataset) -> LinearModel {
        LinearModel(kind: .softmax, featureCount: data.featureCount, classCount: data.classes.count)
    }
    let a = SparseTrainer(options: o, pool: try WorkerPool(workers: 2))
    let smallRun = try a.train(start(small), on: small)
    let b = SparseTrainer(options: o, pool: try WorkerPool(workers: 2))
    let largeRun = try b.train(start(large), on: large)
    #expect(a.work == b.work, "\(a.work) vs \(b.work)")
    #expect(b.work.folds == 0 && b.work.l1Settlements == 0)
    #expect(b.work.weightsUpdated <= 3 * b.work.batchEntries)
    #expect(b.work.mostWeightsInAStep <= 3 * 64 * 9, "a step changed \(b.work.mostWeightsInAStep) weights")
    let ws = smallRun.model.weights, wl = largeRun.model.weights
    var moved = [Float](repeating: 0, count: 3 * 1_000_000)
    for k in 0..<3 { for j in 0..<1000 { moved[k * 1_000_000 + j * 1000 + 7] = ws[k * 1000 + j] } }
    #expect(wl.map(\.bitPattern) == moved.map(\.bitPattern))
    #expect(largeRun.model.bias.map(\.bitPattern) == smallRun.model.bias.map(\.bitPattern))
    return (smallRun, largeRun, b.work)
}

/// The largest |a - b| over the largest |b|: how far two weight vectors are apart, relative
/// to the reference's size.
func relativeGap(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count)
    let scale = b.reduce(0) { max($0, abs(Double($1))) }
    return zip(a, b).reduce(0) { max($0, abs(Double($1.0) - Double($1.1))) } / max(scale, 1e-30)
}

@Suite struct SparseGradientTests {
    /// A model with seeded random weights and biases.
    func randomModel(_ kind: LinearModelKind, features d: Int, classes k: Int, seed: UInt64) -> LinearModel {
        var rng = SplitMix64(seed: seed)
        let o = kind == .softmax ? k : 1
        return LinearModel(kind: kind, featureCount: d, classCount: k,
                           weights: (0..<(o * d)).map { _ in Float(0.5 * rng.nextGaussian()) },
                           bias: (0..<o).map { _ in Float(0.3 * rng.nextGaussian()) })
    }

    /// The sparse gradient of the rows `order` with weights W = scale * V.
    func sparseGradient(_ data: SparseDataset, _ w: SparseLinearWeights, order: [Int32], weights: [Float]?)
        -> (gradient: SparseGradient, stats: (loss: Double, correct: Int))
    {
        let o = w.outputCount, m = order.count
        let out = SparseGradient(outputs: o)
        var z = [Float](repeating: 0, count: m * o), shifted = [Float](repeating: 0, count: m)
        var slots = [Int32](repeating: -1, count: data.featureCount)
        let labels = order.map { data.labels[Int($0)] }
        let rowWeights = weights ?? []
        let stats = data.rowOffsets.withUnsafeBufferPointer { off in
            data.columns.withUnsafeBufferPointer { cols in
                data.values.withUnsafeBufferPointer { vals in
                    rowWeights.withUnsafeBufferPointer { ws in
                        sparseShardGradient(
                            rows: CSRRows(offsets: off.baseAddress!, columns: cols.baseAddress!, values: vals.baseAddress!),
                            order: order, labels: labels, weights: weights == nil ? nil : ws.baseAddress, count: m,
                            kind: w.kind, o: o, v: w.v, b: w.bias, scale: Float(w.scale), z: &z, shifted: &shifted,
                            slots: &slots, out: out)
                    }
                }
            }
        }
        #expect(slots.allSatisfy { $0 == -1 }, "the feature map is left clean")
        return (out, stats)
    }

    /// The sparse shard gradient against ``LinearModel/computeGradient``'s on the same rows made
    /// dense: every touched feature's entries and the bias to 1e-6 of the gradient's size,
    /// every untouched feature's dense gradient exactly 0, the touched features exactly those
    /// the rows store, and the same loss and correct count.
    @Test(arguments: [(LinearModelKind.softmax, false), (.softmax, true), (.logistic, false), (.logistic, true)])
    func shardGradientEqualsTheDenseGradient(kind: LinearModelKind, weighted: Bool) throws {
        let k = kind == .softmax ? 4 : 2
        let data = sparseRows(rows: 90, features: 37, classes: k, seed: 3)
        let dense = data.densified()
        let model = randomModel(kind, features: 37, classes: k, seed: 9)
        var rng = SplitMix64(seed: 4)
        var all = (0..<Int32(90)).map { $0 }
        rng.shuffle(&all)
        let order = Array(all.prefix(41))
        let weights: [Float]? = weighted ? order.map { _ in Float(rng.nextUnit() * 2) } : nil
        let (g, stats) = sparseGradient(data, SparseLinearWeights(model), order: order, weights: weights)

        let o = model.outputCount, s = model.stride
        var grad = [Float](repeating: .nan, count: model.parameters.count)
        var scratch = [Float](repeating: 0, count: model.scratchLength(rows: order.count))
        let labels = order.map { data.labels[Int($0)] }
        let rowWeights = weights ?? []
        let want = dense.features.withUnsafeBufferPointer { x in
            rowWeights.withUnsafeBufferPointer { w in
                model.computeGradient(x: x.baseAddress!, labels: labels, rows: order, count: order.count,
                                      weights: weighted ? w.baseAddress : nil, grad: &grad, scratch: &scratch)
            }
        }
        let size = grad.reduce(0) { max($0, abs(Double($1))) }
        var stored = Set<Int>()
        for r in order { for p in data.rowOffsets[Int(r)]..<data.rowOffsets[Int(r) + 1] { stored.insert(Int(data.columns[p])) } }
        let touched = (0..<g.count).map { Int(g.columns[$0]) }
        #expect(Set(touched) == stored && touched.count == stored.count)
        var gap = 0.0
        for (t, j) in touched.enumerated() {
            for c in 0..<o { gap = max(gap, abs(Double(g.values[t * o + c]) - Double(grad[c * s + j]))) }
        }
        for c in 0..<o { gap = max(gap, abs(Double(g.bias[c]) - Double(grad[o * s + c]))) }
        #expect(gap <= 1e-6 * size, "largest difference \(gap), gradient size \(size)")
        for j in 0..<37 where !stored.contains(j) {
            for c in 0..<o { #expect(grad[c * s + j] == 0) }
        }
        #expect(abs(stats.loss - want.loss) <= 1e-6 * max(1, abs(want.loss)))
        #expect(stats.correct == want.correct)
    }

    /// The weight scale enters the scores exactly: with a power of two, V = W / scale is exact,
    /// and the gradient has the bits of scale 1.
    @Test func aPowerOfTwoScaleGivesTheBitsOfScaleOne() {
        let data = sparseRows(rows: 60, features: 20, classes: 3, seed: 5)
        let model = randomModel(.softmax, features: 20, classes: 3, seed: 6)
        let order = (0..<Int32(60)).map { $0 }
        var scaled = SparseLinearWeights(model)
        scaled.v = scaled.v.map { $0 * 4 }
        scaled.scale = 0.25
        let a = sparseGradient(data, SparseLinearWeights(model), order: order, weights: nil)
        let b = sparseGradient(data, scaled, order: order, weights: nil)
        #expect(a.stats.loss == b.stats.loss)
        #expect((0..<a.gradient.count * 3).map { a.gradient.values[$0].bitPattern }
            == (0..<b.gradient.count * 3).map { b.gradient.values[$0].bitPattern })
    }

    /// Shards summed in shard order: the same touched features and the same sums (to 1e-6 of
    /// the gradient's size; the additions are grouped differently) as one shard over all the rows.
    @Test func shardsSumToTheWholeBatchGradient() {
        let data = sparseRows(rows: 100, features: 30, classes: 3, seed: 7)
        let w = SparseLinearWeights(randomModel(.softmax, features: 30, classes: 3, seed: 8))
        let order = (0..<Int32(100)).reversed().map { $0 }
        let whole = sparseGradient(data, w, order: order, weights: nil).gradient
        let size = (0..<whole.count * 3).reduce(Float(0)) { max($0, abs(whole.values[$1])) }
        let plan = Trainer.plan(batchRows: 100)
        #expect(plan.shardCount == 3)
        let parts = plan.ranges.map { sparseGradient(data, w, order: Array(order[$0]), weights: nil).gradient }
        let total = SparseGradientSum(featureCount: 30, outputs: 3).sum(parts, count: 3)
        var byFeature: [Int32: Int] = [:]
        for t in 0..<whole.count { byFeature[whole.columns[t]] = t }
        #expect(total.count == whole.count)
        for t in 0..<total.count {
            guard let u = byFeature[total.columns[t]] else {
                Issue.record("feature \(total.columns[t]) is not touched by the whole batch")
                continue
            }
            for c in 0..<3 { #expect(abs(total.values[t * 3 + c] - whole.values[u * 3 + c]) <= 1e-6 * size) }
        }
        for c in 0..<3 { #expect(abs(total.bias[c] - whole.bias[c]) <= 1e-6 * size) }
    }
}

@Suite struct SparseTrainingTests {
    func options(_ edit: (inout TrainingOptions) -> Void = { _ in }) -> TrainingOptions {
        var o = TrainingOptions()
        o.batchSize = 16
        o.epochs = 5
        o.learningRate = .constant
        o.eta0 = 0.1
        o.tol = nil
        o.seed = 21
        edit(&o)
        return o
    }

    func start(_ data: SparseDataset, _ kind: LinearModelKind) -> LinearModel {
        LinearModel(kind: kind, featureCount: data.featureCount, classCount: data.classes.count)
    }

    /// Sparse training against dense training on the same rows made dense, same options and
    /// seed (so the same shuffles and batches). The scale of l2, the lazy l1 and the order of
    /// the sums change rounding only: the weights agree to 2e-6 of their size (gaps reached:
    /// l2 2.8e-7 to 4.3e-7, folds 6.5e-8, none 6.0e-8, l1 1.3e-7, weights 5.2e-7). Elasticnet
    /// decays an untouched weight and truncates it in another order than the dense path
    /// (second order in eta alpha): 1e-4 (reached: 2.7e-5).
    @Test(arguments: ["l2 softmax", "l2 logistic", "l2 folds", "none", "l1", "elasticnet", "weights invscaling"])
    func sparseTrainingMatchesDenseTraining(setup: String) throws {
        let kind: LinearModelKind = setup.contains("logistic") ? .logistic : .softmax
        var data = sparseRows(rows: 300, features: 40, classes: kind == .softmax ? 3 : 2, seed: 12)
        let o = options { o in
            o.alpha = 0.001
            if setup.contains("folds") { o.alpha = 2; o.epochs = 8 }  // W shrinks by 0.8 a step: a fold every 62 steps
            if setup.contains("none") { o.penalty = .none }
            if setup.contains("l1") { o.penalty = .l1; o.alpha = 0.01 }
            if setup.contains("elasticnet") { o.penalty = .elasticnet; o.alpha = 0.01; o.l1Ratio = 0.5 }
            if setup.contains("invscaling") { o.learningRate = .invscaling; o.eta0 = 0.5; o.classWeight = .balanced }
        }
        if setup.contains("weights") { data.weights = (0..<300).map { Float(($0 * 7) % 5) / 2 } }
        let dense = try Trainer(options: o, pool: WorkerPool(workers: 2)).train(start(data, kind), on: data.densified())
        let trainer = SparseTrainer(options: o, pool: try WorkerPool(workers: 2))
        let sparse = try trainer.train(start(data, kind), on: data)
        let gap = relativeGap(sparse.model.parameters, dense.model.parameters)
        let tolerance = setup == "elasticnet" ? 1e-4 : 2e-6
        #expect(gap <= tolerance, "weights differ by \(gap) of their size")
        #expect(sparse.steps == dense.steps)
        for (s, d) in zip(sparse.epochs, dense.epochs) {
            #expect(abs(s.loss - d.loss) <= 1e-5 * max(1, d.loss), "epoch \(s.epoch): loss \(s.loss) vs \(d.loss)")
            #expect(s.accuracy == d.accuracy)
        }
        if setup.contains("folds") { #expect(trainer.work.folds >= 2, "\(trainer.work)") }
        if setup.contains("l1") || setup.contains("elasticnet") {
            let zs = sparse.model.zeroWeightFraction, zd = dense.model.zeroWeightFraction
            #expect(zd > 0.2 && abs(zs - zd) <= 0.01, "zero fractions \(zs) and \(zd)")
            #expect(sparse.epochs.last?.zeroFraction == zs)
        }
    }

    /// Batch sizes of 1, 3 and 9 shards, with weights, elasticnet, invscaling and early
    /// stopping: the same bits for 1, 2 and 3 workers. The rows hold 300 to 600 entries, so that
    /// a batch of several shards is worth running on several threads (the pool runs cheap
    /// calls inline).
    @Test(arguments: [1, 100, 300])
    func bitwiseIdenticalForAnyWorkerCount(batch: Int) throws {
        let data = sparseRows(rows: 700, features: 5000, classes: 4, seed: 30, perRow: 300...600)
        let validation = sparseRows(rows: 80, features: 5000, classes: 4, seed: 31, perRow: 300...600)
        if batch > 1 {
            let entries = (0..<batch).reduce(0) { $0 + data.rowOffsets[$1 + 1] - data.rowOffsets[$1] }
            #expect(entries * 4 * 6 > WorkerPool.inlineCost, "the first batch runs on several threads")
        }
        let o = options { o in
            o.batchSize = batch
            o.epochs = 3
            o.learningRate = .invscaling
            o.eta0 = 0.3
            o.penalty = .elasticnet
            o.alpha = 0.002
            o.classWeight = .balanced
            o.earlyStopping = true
        }
        func run(_ workers: Int) throws -> TrainingRun<LinearModel> {
            try SparseTrainer(options: o, pool: WorkerPool(workers: workers)).train(start(data, .softmax), on: data,
                                                                                     validation: validation)
        }
        let reference = try run(1)
        for workers in [2, 3] {
            let other = try run(workers)
            #expect(other.model.parameters.map(\.bitPattern) == reference.model.parameters.map(\.bitPattern),
                    "workers \(workers)")
            #expect(other.epochs.map(\.loss) == reference.epochs.map(\.loss))
        }
    }

    /// The same rows in d = 1,000 and spread over d = 1,000,000 features: every step does the
    /// same work (touched features x outputs, bounded by the batch's entries x outputs) and the
    /// weights come out with the same bits, the untouched 999,000 features at exactly 0. A
    /// step never costs O(d): a dense copy of these rows alone would take 8 GB.
    @Test func stepWorkFollowsTheNonZerosNotTheFeatureCount() throws {
        let o = options { o in
            o.batchSize = 64
            o.epochs = 2
            o.alpha = 0.01
        }
        let work = try expectSpreadRunsAgree(rows: 2000, options: o).work
        #expect(work.steps == 2 * 32)
    }

    /// Interrupted mid-epoch (with the scale away from 1 and l1 owed to untouched weights), the
    /// state through its JSON and back, resumed on another worker count: the bits of the
    /// uninterrupted run.
    @Test(arguments: [("elasticnet", 13), ("l2 early stopping", 29), ("l1 weights", 40)])
    func interruptedAndResumedEqualsUninterrupted(setup: String, steps: Int) throws {
        var data = sparseRows(rows: 240, features: 50, classes: 3, seed: 50)
        let validation = setup.contains("early") ? sparseRows(rows: 40, features: 50, classes: 3, seed: 51) : nil
        if setup.contains("weights") { data.weights = (0..<240).map { Float($0 % 3) } }
        let o = options { o in
            o.batchSize = 24
            o.learningRate = .invscaling
            o.eta0 = 0.4
            o.alpha = 0.05
            if setup.contains("elasticnet") { o.penalty = .elasticnet; o.l1Ratio = 0.3 }
            if setup.contains("l1") { o.penalty = .l1; o.alpha = 0.005 }
            if setup.contains("early") { o.earlyStopping = true; o.tol = 1e-3; o.nIterNoChange = 2; o.epochs = 8 }
        }
        let whole = try SparseTrainer(options: o, pool: WorkerPool(workers: 2))
            .train(start(data, .softmax), on: data, validation: validation)
        let counter = CheckpointTests.StepCounter(steps)
        let first = try SparseTrainer(options: o, pool: WorkerPool(workers: 3))
            .train(start(data, .softmax), on: data, validation: validation, control: TrainingControl(shouldStop: counter.tick))
        #expect(first.stopReason == .interrupted && first.state.position > 0)
        if !setup.contains("l1 ") { #expect(first.state.weightScale != 1) }
        let text = first.state.jsonValue.jsonText
        let state = try TrainingState.decode(try JSONParser.parse(Array(text.utf8))) { .modelFile(file: "state", message: $0) }
        let resumed = try SparseTrainer(options: o, pool: WorkerPool(workers: 1))
            .train(start(data, .softmax), on: data, validation: validation, resume: state)
        #expect(resumed.model.parameters.map(\.bitPattern) == whole.model.parameters.map(\.bitPattern))
        #expect(resumed.epochs.map(\.loss) == whole.epochs.map(\.loss))
        #expect(resumed.steps == whole.steps && resumed.stopReason == whole.stopReason)
    }

    @Test(arguments: [("adam", "training.optimizer"), ("momentum", "training.momentum"), ("average", "training.average")])
    func optionsThatChangeEveryWeightEveryStepAreRejected(option: String, key: String) throws {
        let data = sparseRows(rows: 30, features: 5, classes: 2, seed: 1)
        let o = options { o in
            if option == "adam" { o.optimizer = .adam }
            if option == "momentum" { o.momentum = 0.9 }
            if option == "average" { o.averageAfter = 1 }
        }
        #expect {
            _ = try SparseTrainer(options: o, pool: WorkerPool(workers: 1)).train(start(data, .logistic), on: data)
        } throws: { error in
            guard case LearningError.config(_, let k, let message) = error else { return false }
            return k == key && message.contains("O(features)")
        }
    }
}
