import DataParallel
import Foundation
import Testing
@testable import Learning

/// adagrad and ftrl on the sparse path: touched-only work, the same bits for any worker count,
/// resume equal to an uninterrupted run, and refusal on dense rows.
@Suite struct SparseAdaptiveTrainingTests {
    func options(_ optimizer: OptimizerKind, _ edit: (inout TrainingOptions) -> Void = { _ in }) -> TrainingOptions {
        var o = TrainingOptions.defaults(for: .softmax, optimizer: optimizer, sparse: true)
        o.batchSize = 16
        o.epochs = 4
        o.tol = nil
        o.seed = 23
        edit(&o)
        return o
    }

    func start(_ data: SparseDataset, _ kind: LinearModelKind = .softmax) -> LinearModel {
        LinearModel(kind: kind, featureCount: data.featureCount, classCount: data.classes.count)
    }

    /// The same rows in d = 1,000 and spread over d = 1,000,000 features: the same work per
    /// step (touched features x outputs), the same bits, and the 999,000 features no row
    /// touches keep weight 0 and state 0.
    @Test(arguments: [OptimizerKind.adagrad, .ftrl])
    func stepsTouchOnlyTheBatchFeatures(optimizer: OptimizerKind) throws {
        let o = options(optimizer) { o in
            o.batchSize = 64
            o.epochs = 2
            o.penalty = .elasticnet
            o.alpha = 0.01
        }
        let (smallRun, largeRun, work) = try expectSpreadRunsAgree(rows: 1000, options: o)
        #expect(work.steps == 2 * 16)
        // The state: each part (G2; z, n) is feature-major (d x 3) then 3 biases.
        let parts = optimizer == .ftrl ? 2 : 1
        let sState = smallRun.state.optimizerBuffers, lState = largeRun.state.optimizerBuffers
        #expect(sState.count == parts * (3000 + 3) && lState.count == parts * (3_000_000 + 3))
        var expected = [Float](repeating: 0, count: lState.count)
        for p in 0..<parts {
            for j in 0..<1000 { for k in 0..<3 { expected[p * 3_000_003 + (j * 1000 + 7) * 3 + k] = sState[p * 3003 + j * 3 + k] } }
            for k in 0..<3 { expected[p * 3_000_003 + 3_000_000 + k] = sState[p * 3003 + 3000 + k] }
        }
        #expect(lState.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(sState.contains { $0 != 0 })
    }

    /// Batch sizes of 1, 3 and 9 shards, with weights, elasticnet and early stopping: the same
    /// bits for 1, 2 and 3 workers.
    @Test(arguments: [(OptimizerKind.adagrad, 1), (.adagrad, 100), (.adagrad, 300), (.ftrl, 1), (.ftrl, 100), (.ftrl, 300)])
    func bitwiseIdenticalForAnyWorkerCount(optimizer: OptimizerKind, batch: Int) throws {
        let data = sparseRows(rows: 700, features: 5000, classes: 4, seed: 30, perRow: 300...600)
        let validation = sparseRows(rows: 80, features: 5000, classes: 4, seed: 31, perRow: 300...600)
        let o = options(optimizer) { o in
            o.batchSize = batch
            o.epochs = 3
            o.penalty = .elasticnet
            o.alpha = 0.002
            o.classWeight = .balanced
            o.earlyStopping = true
        }
        func run(_ workers: Int) throws -> TrainingRun<LinearModel> {
            try SparseTrainer(options: o, pool: WorkerPool(workers: workers)).train(start(data), on: data, validation: validation)
        }
        let reference = try run(1)
        #expect(reference.model.weights.contains { $0 != 0 })
        for workers in [2, 3] {
            let other = try run(workers)
            #expect(other.model.parameters.map(\.bitPattern) == reference.model.parameters.map(\.bitPattern),
                    "workers \(workers)")
            #expect(other.state.optimizerBuffers.map(\.bitPattern) == reference.state.optimizerBuffers.map(\.bitPattern))
            #expect(other.epochs.map(\.loss) == reference.epochs.map(\.loss))
        }
    }

    /// Interrupted mid-epoch, the state through its JSON and back, resumed on another worker
    /// count: the bits of the uninterrupted run (weights, state, losses).
    @Test(arguments: [(OptimizerKind.adagrad, LinearModelKind.softmax, 13), (.adagrad, .logistic, 29),
                      (.ftrl, .softmax, 17), (.ftrl, .logistic, 27)])
    func interruptedAndResumedEqualsUninterrupted(optimizer: OptimizerKind, kind: LinearModelKind, steps: Int) throws {
        let data = sparseRows(rows: 240, features: 50, classes: kind == .softmax ? 3 : 2, seed: 50)
        let o = options(optimizer) { o in
            o.batchSize = 24
            o.penalty = .elasticnet
            o.alpha = 0.01
            o.l1Ratio = 0.3
        }
        let whole = try SparseTrainer(options: o, pool: WorkerPool(workers: 2)).train(start(data, kind), on: data)
        let counter = CheckpointTests.StepCounter(steps)
        let first = try SparseTrainer(options: o, pool: WorkerPool(workers: 3))
            .train(start(data, kind), on: data, control: TrainingControl(shouldStop: counter.tick))
        #expect(first.stopReason == .interrupted && first.state.position > 0, "\(first.stopReason) at \(first.state.position)")
        #expect(first.state.optimizerBuffers.contains { $0 != 0 })
        let text = first.state.jsonValue.jsonText
        let state = try TrainingState.decode(try JSONParser.parse(Array(text.utf8))) { .modelFile(file: "state", message: $0) }
        let resumed = try SparseTrainer(options: o, pool: WorkerPool(workers: 1)).train(start(data, kind), on: data, resume: state)
        #expect(resumed.model.parameters.map(\.bitPattern) == whole.model.parameters.map(\.bitPattern))
        #expect(resumed.state.optimizerBuffers.map(\.bitPattern) == whole.state.optimizerBuffers.map(\.bitPattern))
        #expect(resumed.epochs.map(\.loss) == whole.epochs.map(\.loss))
        #expect(resumed.steps == whole.steps)
        // A checkpoint of plain sgd has no optimizer state: refused before any step.
        var sgdState = state
        sgdState.optimizerBuffers = []
        #expect(throws: LearningError.self) {
            _ = try SparseTrainer(options: o, pool: WorkerPool(workers: 1)).train(start(data, kind), on: data, resume: sgdState)
        }
    }

    /// Both learn: on separable-ish rows they beat chance by far within a few epochs.
    @Test(arguments: [OptimizerKind.adagrad, .ftrl])
    func defaultsLearn(optimizer: OptimizerKind) throws {
        let data = sparseRows(rows: 600, features: 200, classes: 4, seed: 60)
        let run = try SparseTrainer(options: options(optimizer), pool: WorkerPool(workers: 2)).train(start(data), on: data)
        #expect(run.epochs.last!.accuracy > 0.8, "accuracy \(run.epochs.last!.accuracy)")
        #expect(run.epochs.last!.loss < run.epochs.first!.loss)
    }

    /// A warm start continues from its weights: with a tiny rate every weight stays within
    /// 1e-3 of the starting model's (ftrl's z is set so that its closed form gives them back;
    /// without that, a touched weight would restart near 0).
    @Test(arguments: [OptimizerKind.adagrad, .ftrl])
    func aWarmStartContinuesFromItsWeights(optimizer: OptimizerKind) throws {
        let data = sparseRows(rows: 200, features: 30, classes: 3, seed: 70)
        let fitted = try SparseTrainer(options: options(optimizer), pool: WorkerPool(workers: 1)).train(start(data), on: data).model
        #expect(fitted.weights.filter { abs($0) > 0.1 }.count > 10)
        let o = options(optimizer) { o in
            o.eta0 = 1e-5
            o.epochs = 1
        }
        let again = try SparseTrainer(options: o, pool: WorkerPool(workers: 1)).train(fitted, on: data).model
        #expect(relativeGap(again.parameters, fitted.parameters) < 1e-3)
    }

    /// Dense rows refuse the sparse-only optimizers with one config error naming the key.
    @Test(arguments: [OptimizerKind.adagrad, .ftrl])
    func denseTrainingRefusesThem(optimizer: OptimizerKind) throws {
        let data = sparseRows(rows: 30, features: 5, classes: 2, seed: 1).densified()
        var o = TrainingOptions()
        o.optimizer = optimizer
        #expect {
            _ = try Trainer(options: o, pool: WorkerPool(workers: 1))
                .train(LinearModel(kind: .logistic, featureCount: 5, classCount: 2), on: data)
        } throws: { error in
            guard case LearningError.config(_, let key, let message) = error else { return false }
            return key == "training.optimizer" && message.contains("LIBSVM")
        }
    }
}
