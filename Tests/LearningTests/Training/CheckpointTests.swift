import DataParallel
import Foundation
import Testing
@testable import Learning

@Suite struct CheckpointTests {
    /// Stops the run after `steps` steps (a stand-in for a signal).
    final class StepCounter: @unchecked Sendable {
        var left: Int
        init(_ steps: Int) { left = steps }
        func tick() -> Bool {
            left -= 1
            return left <= 0
        }
    }

    func options(_ edit: (inout TrainingOptions) -> Void) -> TrainingOptions {
        var o = TrainingOptions()
        o.batchSize = 24
        o.epochs = 5
        o.learningRate = .invscaling
        o.eta0 = 0.2
        o.tol = nil
        o.seed = 11
        edit(&o)
        return o
    }

    /// A state through its JSON text and back, as a checkpoint file stores it.
    func roundTrip(_ s: TrainingState) throws -> TrainingState {
        let text = s.jsonValue.jsonText
        return try TrainingState.decode(try JSONParser.parse(Array(text.utf8))) { .modelFile(file: "state", message: $0) }
    }

    /// Interrupting after `steps` steps (mid-epoch), writing the state as JSON, reading it
    /// back and resuming on another worker count gives the uninterrupted run's bits.
    @Test(arguments: [
        ("linear sgd", 7), ("linear l1 adam average", 23), ("mlp momentum early stopping", 31), ("linear adaptive tol", 40),
    ])
    func interruptedAndResumedEqualsUninterrupted(setup: String, steps: Int) throws {
        var data = blobs(samples: 230, features: 7, classes: 3, noise: 1.5, seed: 2)
        var validation: Dataset? = nil
        let o = options { o in
            if setup.contains("l1") { o.penalty = .l1; o.alpha = 0.01 }
            if setup.contains("adam") { o.optimizer = .adam; o.eta0 = 0.01 }
            if setup.contains("average") { o.averageAfter = 100 }
            if setup.contains("momentum") { o.momentum = 0.9; o.eta0 = 0.02 }
            if setup.contains("early") { o.earlyStopping = true; o.tol = 1e-3; o.nIterNoChange = 2; o.epochs = 8 }
            if setup.contains("adaptive") { o.learningRate = .adaptive; o.tol = 0.05; o.nIterNoChange = 1; o.epochs = 9 }
        }
        if setup.contains("early") {
            validation = data.subset(Array(200..<230))
            data = data.subset(Array(0..<200))
        }
        let start: Model = setup.hasPrefix("mlp")
            ? .mlp(MLP(featureCount: 7, hidden: [6], activation: .tanh, classCount: 3).initialized(seed: 3))
            : .linear(LinearModel(kind: .softmax, featureCount: 7, classCount: 3))
        let whole = try Trainer(options: o, pool: WorkerPool(workers: 2)).train(start, on: data, validation: validation)

        let counter = StepCounter(steps)
        let first = try Trainer(options: o, pool: WorkerPool(workers: 3))
            .train(start, on: data, validation: validation, control: TrainingControl(shouldStop: counter.tick))
        #expect(first.stopReason == .interrupted)
        #expect(first.state.position > 0, "interrupted mid-epoch")
        let resumed = try Trainer(options: o, pool: WorkerPool(workers: 1))
            .train(start, on: data, validation: validation, resume: try roundTrip(first.state))
        #expect(resumed.model.parameters.map(\.bitPattern) == whole.model.parameters.map(\.bitPattern))
        #expect(resumed.epochs.map(\.loss) == whole.epochs.map(\.loss))
        #expect(resumed.steps == whole.steps && resumed.stopReason == whole.stopReason)
    }

    @Test func checkpointsComeEveryNEpochsAndResumeExactly() throws {
        let data = blobs(samples: 150, features: 5, classes: 2, seed: 6)
        let o = options { $0.epochs = 7; $0.penalty = .elasticnet; $0.alpha = 0.01 }
        let start = LinearModel(kind: .logistic, featureCount: 5, classCount: 2)
        var saved: [TrainingState] = []
        let whole = try Trainer(options: o, pool: WorkerPool(workers: 2))
            .train(start, on: data, control: TrainingControl(checkpointEvery: 3, onCheckpoint: { saved.append($0) }))
        // After epochs 3 and 6; never after the last.
        #expect(saved.map(\.epoch) == [4, 7] && saved.allSatisfy { $0.position == 0 })
        for s in saved {
            let resumed = try Trainer(options: o, pool: WorkerPool(workers: 3)).train(start, on: data, resume: try roundTrip(s))
            #expect(resumed.model.parameters.map(\.bitPattern) == whole.model.parameters.map(\.bitPattern))
            #expect(resumed.epochs.count == 7)
        }
    }

    @Test func aStateForAnotherModelIsRejected() throws {
        let data = blobs(samples: 60, features: 5, classes: 3, seed: 1)
        let o = options { $0.epochs = 1 }
        let run = try Trainer(options: o, pool: WorkerPool(workers: 1))
            .train(LinearModel(kind: .softmax, featureCount: 5, classCount: 3), on: data)
        var adam = o
        adam.optimizer = .adam
        #expect(throws: LearningError.self) {
            try Trainer(options: adam, pool: WorkerPool(workers: 1))
                .train(LinearModel(kind: .softmax, featureCount: 5, classCount: 3), on: data, resume: run.state)
        }
    }

    @Test func checkpointFilesRoundTripAndAreChecked() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        var config = Config()
        var spec = SyntheticSpec()
        spec.samples = 80
        config.data.synthetic = spec
        config.training.epochs = 3
        let data = blobs(samples: 80, features: 4, classes: 2, seed: 2)
        var state = TrainingState(parameters: [1.5, -0.25, .leastNonzeroMagnitude, Float(bitPattern: 0x0020_0000)], seed: 0xDEAD_BEEF_0123_4567)
        state.epoch = 2
        state.reports = [EpochReport(epoch: 1, loss: 0.5, accuracy: 0.75, learningRate: 0.1, seconds: 0.01, samplesPerSecond: 8000)]
        state.bestCriterion = 0.4
        let checkpoint = Checkpoint(config: config, initModel: nil, data: DataIdentity(data), state: state)
        try checkpoint.write(folder: dir.path)
        let back = try Checkpoint.read(folder: dir.path)
        #expect(back.state == state)
        #expect(back.state.parameters.map(\.bitPattern) == state.parameters.map(\.bitPattern))
        #expect(back.data == DataIdentity(data))
        #expect(back.config.outputDir == dir.path && back.config.data.synthetic == spec)
        // One changed value changes the fingerprint.
        var changed = data
        changed.features[17] += 1e-3
        #expect(DataIdentity(changed) != DataIdentity(data))

        func readError(_ text: String) -> String? {
            _ = dir.write("checkpoint", text)
            do { _ = try Checkpoint.read(folder: dir.path); return nil } catch { return error.description }
        }
        let good = try String(contentsOfFile: dir.file("checkpoint"), encoding: .utf8)
        #expect(readError(String(good.prefix(good.count / 2)))?.contains("JSON error") == true)
        #expect(readError(good.replacingOccurrences(of: "\"version\":1", with: "\"version\":9"))?.contains("newer") == true)
        // A version beyond any integer is an error, not a trap converting it to Int.
        #expect(readError(good.replacingOccurrences(of: "\"version\":1", with: "\"version\":1e300"))?.contains("newer") == true)
        #expect(readError(good.replacingOccurrences(of: "\"epoch\":2,", with: "\"epoch\":5,"))?.contains("state.epoch") == true)
        // Reports out of sequence would make a metrics.jsonl that report.html rejects after training.
        #expect(readError(good.replacingOccurrences(of: "{\"epoch\":1,", with: "{\"epoch\":3,"))?.contains("state.reports[0]") == true)
        #expect(readError("{}")?.contains("not a checkpoint") == true)
        try FileManager.default.removeItem(atPath: dir.file("checkpoint"))
        #expect(readError("")?.contains("JSON error") == true)
    }

    @Test("a resumed state that does not fit the run is an error naming the checkpoint and the key")
    func statesThatDoNotFitAreErrors() throws {
        var s = TrainingState(parameters: [Float](repeating: 0, count: 12), seed: 1)
        func problem(_ s: TrainingState, optimizer: Int = 0, l1: Int = 0, averaging: Bool = false) -> String? {
            do {
                try s.checkFits(parameters: 12, optimizerBuffers: optimizer, l1Received: l1, averaging: averaging, rows: 60,
                                file: "run/checkpoint")
                return nil
            } catch {
                guard case .modelFile("run/checkpoint", let message) = error else { return "\(error)" }
                return message
            }
        }
        #expect(problem(s) == nil)
        #expect(problem(s, optimizer: 12)?.hasPrefix("state.optimizer holds 0 numbers; the optimizer needs 12") == true)
        #expect(problem(s, l1: 8)?.hasPrefix("state.l1_received holds 0 numbers") == true)
        #expect(problem(s, averaging: true)?.hasPrefix("state.averaged is null") == true)
        s.position = 59
        #expect(problem(s) == nil)
        s.position = 60
        #expect(problem(s)?.hasPrefix("state.position is 60") == true)
        s.position = 0
        s.bestParameters = [1]
        #expect(problem(s)?.hasPrefix("state.best_parameters holds 1 numbers") == true)
        s.bestParameters = nil
        s.parameters.removeLast()
        #expect(problem(s)?.hasPrefix("state.parameters holds 11 numbers; this model needs 12") == true)
    }
}
