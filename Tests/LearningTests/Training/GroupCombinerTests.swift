import DataParallel
import Foundation
import Testing
@testable import Learning

/// Training split over several processes (threads standing in for MPI ranks, each with its own
/// pool and ``GroupCombiner``) gives the one-process bits for any process count.
@Suite struct GroupCombinerTests {
    /// Runs `body(rank, combiner)` on `size` threads, one per simulated process; returns the
    /// results in rank order.
    static func onProcesses<T>(_ size: Int, _ body: @escaping @Sendable (Int, GroupCombiner) throws -> T) throws -> [T] {
        let box = ResultBox<T>()
        let done = DispatchGroup()
        for member in LocalProcessGroup.make(size: size) {
            done.enter()
            let thread = Thread {
                let r = Result { try body(member.rank, GroupCombiner(group: member)) }
                box.lock.withLock { box.results[member.rank] = r }
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return try (0..<size).map { try box.results[$0]!.get() }
    }

    final class ResultBox<T>: @unchecked Sendable {
        let lock = NSLock()
        var results: [Int: Result<T, any Error>] = [:]
    }

    static func bits(_ run: TrainingRun<Model>) -> [UInt32] { run.model.parameters.map(\.bitPattern) }
    static func lossBits(_ run: TrainingRun<Model>) -> [UInt64] { run.epochs.map(\.loss.bitPattern) }

    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let options: TrainingOptions
        let start: Model
        let data: Dataset
        var description: String { name }
    }

    static var cases: [Case] {
        let blobsData = blobs(samples: 700, features: 6, classes: 4, noise: 2, seed: 3)
        var sgd = TrainingOptions()
        sgd.epochs = 3
        sgd.batchSize = 256  // 8 shards, and a last batch of 188 rows (5 shards)
        sgd.learningRate = .constant
        sgd.eta0 = 0.05
        sgd.tol = nil
        var elastic = sgd
        elastic.penalty = .elasticnet
        elastic.alpha = 0.01
        elastic.batchSize = 512  // 16 shards
        elastic.averageAfter = 100
        var adam = sgd
        adam.optimizer = .adam
        adam.eta0 = 0.01
        adam.batchSize = 100  // 3 shards: fewer than 4 processes
        var momentum = sgd
        momentum.momentum = 0.9
        momentum.nesterov = true
        momentum.batchSize = 200
        let linear = Model.linear(LinearModel(kind: .softmax, featureCount: 6, classCount: 4))
        let logistic = Model.linear(LinearModel(kind: .logistic, featureCount: 6, classCount: 2))
        let twoClass = blobs(samples: 500, features: 6, classes: 2, noise: 2, seed: 4)
        let mlp = Model.mlp(MLP(featureCount: 6, hidden: [16, 8], activation: .tanh, classCount: 4).initialized(seed: 5))
        let oneFeature = blobs(samples: 300, features: 1, classes: 2, noise: 1, seed: 6)
        let tiny = Model.linear(LinearModel(kind: .logistic, featureCount: 1, classCount: 2))
        return [
            Case(name: "softmax sgd", options: sgd, start: linear, data: blobsData),
            // 2 parameters: with 3 or 4 processes some slices of the gradient are empty.
            Case(name: "logistic, one feature", options: sgd, start: tiny, data: oneFeature),
            Case(name: "softmax elasticnet averaged", options: elastic, start: linear, data: blobsData),
            Case(name: "logistic momentum", options: momentum, start: logistic, data: twoClass),
            Case(name: "mlp adam", options: adam, start: mlp, data: blobsData),
        ]
    }

    @Test(arguments: cases)
    func anyProcessCountGivesTheOneProcessBits(_ c: Case) throws {
        let single = try Trainer(options: c.options, pool: try WorkerPool(workers: 1)).train(c.start, on: c.data)
        for size in [1, 2, 3, 4] {
            for workers in [1, 2] where size * workers <= 6 {
                let runs = try Self.onProcesses(size) { _, combiner in
                    try Trainer(options: c.options, pool: try WorkerPool(workers: workers), combiner: combiner)
                        .train(c.start, on: c.data)
                }
                for (rank, run) in runs.enumerated() {
                    // (2 processes exchange whole node sums, 3 and 4 slices of them.)
                    #expect(Self.bits(run) == Self.bits(single), "\(c): \(size) processes x \(workers) workers, rank \(rank)")
                    #expect(Self.lossBits(run) == Self.lossBits(single))
                    #expect(run.epochs.map(\.accuracy) == single.epochs.map(\.accuracy))
                }
            }
        }
    }

    /// The first process's wish to stop decides for all: every process stops after the same
    /// step with the same state; a later process's wish alone stops nobody.
    @Test func theFirstProcessDecidesWhenToStop() throws {
        var o = TrainingOptions()
        o.epochs = 5
        o.batchSize = 64
        o.tol = nil
        let data = blobs(samples: 640, features: 4, classes: 3, seed: 8)
        let start = Model.linear(LinearModel(kind: .softmax, featureCount: 4, classCount: 3))
        /// Asks to stop from its `after`-th question on.
        final class Asker: @unchecked Sendable {
            var asked = 0
            let after: Int
            init(after: Int) { self.after = after }
            func ask() -> Bool { asked += 1; return asked >= after }
        }
        let o1 = o
        let runs = try Self.onProcesses(3) { rank, combiner in
            let o = o1
            let asker = Asker(after: rank == 0 ? 13 : 2)
            let control = TrainingControl(shouldStop: { asker.ask() })
            return try Trainer(options: o, pool: try WorkerPool(workers: 1), combiner: combiner)
                .train(start, on: data, control: control)
        }
        // 9 questions per epoch (the last step of an epoch asks none): the 13th is in epoch 2.
        for run in runs {
            #expect(run.stopReason == .interrupted)
            #expect(run.steps == 14 && run.state.parameters.map(\.bitPattern) == runs[0].state.parameters.map(\.bitPattern))
        }
        let later = try Self.onProcesses(2) { rank, combiner in
            let o = o1
            let control = TrainingControl(shouldStop: { rank == 1 })
            return try Trainer(options: o, pool: try WorkerPool(workers: 1), combiner: combiner)
                .train(start, on: data, control: control)
        }
        #expect(later.allSatisfy { $0.stopReason == .maxEpochs && $0.steps == 50 })
    }

    /// A time budget is read off the first process's clock: a budget of 0 stops every process
    /// after its first epoch.
    @Test func aTimeBudgetStopsEveryProcessAtTheSameEpoch() throws {
        var o = TrainingOptions()
        o.epochs = 4
        o.tol = nil
        o.maxSeconds = 1e-9
        let data = blobs(samples: 300, features: 4, classes: 3, seed: 9)
        let start = Model.linear(LinearModel(kind: .softmax, featureCount: 4, classCount: 3))
        let o1 = o
        let runs = try Self.onProcesses(2) { _, combiner in
            try Trainer(options: o1, pool: try WorkerPool(workers: 1), combiner: combiner).train(start, on: data)
        }
        #expect(runs.allSatisfy { $0.stopReason == .timeBudget && $0.epochs.count == 1 })
    }

    /// Every process starts from the first one's parameters, whatever it was handed.
    @Test func processesStartFromTheFirstOnesParameters() throws {
        var o = TrainingOptions()
        o.epochs = 1
        o.tol = nil
        o.learningRate = .constant
        o.eta0 = 1e-30  // a step that changes nothing visible
        let data = blobs(samples: 64, features: 2, classes: 2, seed: 1)
        let o1 = o
        let runs = try Self.onProcesses(2) { rank, combiner in
            let o = o1
            var m = LinearModel(kind: .softmax, featureCount: 2, classCount: 2)
            m.parameters = m.parameters.map { _ in Float(rank + 1) }
            return try Trainer(options: o, pool: try WorkerPool(workers: 1), combiner: combiner).train(.linear(m), on: data)
        }
        #expect(runs.allSatisfy { $0.model.parameters.allSatisfy { $0 == 1 } })
    }

    @Test func sparseRowsRefuseSeveralProcesses() throws {
        var o = TrainingOptions()
        o.epochs = 1
        let rows = sparseRows(rows: 100, features: 20, classes: 2, seed: 3)
        let o1 = o
        let errors = try Self.onProcesses(2) { _, combiner -> String in
            let o = o1
            do {
                _ = try SparseTrainer(options: o, pool: try WorkerPool(workers: 1), combiner: combiner)
                    .train(LinearModel(kind: .softmax, featureCount: 20, classCount: 2), on: rows)
                return "trained"
            } catch { return "\(error)" }
        }
        #expect(errors.allSatisfy { $0.contains("data.train") && $0.contains("one process") })
    }
}
