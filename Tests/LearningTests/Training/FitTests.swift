import DataParallel
import Foundation
import Testing
@testable import Learning

/// The library entry point: fit trains prepared rows in memory, writes nothing, is what the
/// command line's train runs, and sends every step through the combiner it is given.
@Suite struct FitTests {
    // The README's example ("Using the libraries", training in your own code), word for word (but `static`).
    static func trainInMemory(features: [Float], labels: [String], featureNames: [String]) throws -> FitResult {
        let table = LabeledTable(features: features, labels: labels, featureNames: featureNames, file: "in memory")
        let rows = table.encoded(classes: table.distinctLabels)
        var config = Config()                                        // every default of a config file
        config.training.learningRate = .constant
        config.training.eta0 = 0.05
        let loaded = LoadedData(rows: rows, test: nil, label: "label", source: "in memory")
        let data = try PreparedData.prepare(loaded, config: config)  // 20% test split, standardised
        let pool = try WorkerPool(workers: 0)                        // 0 = one per active core
        return try fit(config, data: data, pool: pool)               // reads and writes no file
    }

    @Test func readmeExampleTrainsInMemory() throws {
        // Three well separated blobs in 4 features.
        var rng = SplitMix64(seed: 11)
        var features: [Float] = [], labels: [String] = []
        for i in 0..<600 {
            let c = i % 3
            for j in 0..<4 { features.append(Float((j == c ? 4.0 : 0.0) + rng.nextGaussian())) }
            labels.append(["red", "green", "blue"][c])
        }
        let result = try Self.trainInMemory(features: features, labels: labels, featureNames: ["a", "b", "c", "d"])
        let test = try #require(result.test)
        #expect(test.count == 120)  // round(200 * 0.2) per class
        #expect(test.accuracy >= 0.95)
        #expect(result.model.classCount == 3 && result.model.typeName == "softmax")
        #expect(result.epochs.count >= 2 && result.train!.logLoss < 0.2)
    }

    /// A config's model from fit is the job's model.json bit for bit, and fit leaves the
    /// output folder unmade.
    @Test(arguments: ["configs/iris.json", "configs/sparse-example.json"])
    func fitIsTheJobWithoutItsFiles(configPath: String) throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        var config = try Config.load(path: Repo.path(configPath))
        config.outputDir = dir.file("job")
        config.training.epochs = 6
        let summary = try TrainingJob.run(config)
        let saved = try SavedModel.read(path: summary.modelPath)

        config.outputDir = dir.file("fit")
        let pool = try WorkerPool(workers: 2)
        let result: FitResult
        if config.data.isSparse {
            result = try fit(config, data: try PreparedSparseData.load(config), pool: pool)
        } else {
            result = try fit(config, data: try PreparedData.load(config, pool: pool), pool: pool)
        }
        #expect(result.model.parameters.map(\.bitPattern) == saved.model.parameters.map(\.bitPattern))
        #expect(result.epochs.count == summary.epochs && result.test?.accuracy == summary.testAccuracy)
        #expect(result.objective == summary.objective && result.train?.logLoss == summary.trainLoss)
        #expect(!FileManager.default.fileExists(atPath: dir.file("fit")))
    }

    /// A combiner that counts what goes through it and sums like the local one.
    final class CountingCombiner: StepCombiner, @unchecked Sendable {
        let lock = NSLock()
        var figures = 0, dense = 0, sparse = 0
        func combine(_ gradients: ShardBuffers, figures: [StepFigures], shards: Int, stop: Bool, pool: WorkerPool,
                     update: @escaping (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> StepOutcome {
            lock.withLock { dense += 1; self.figures += 1 }
            return LocalCombiner().combine(gradients, figures: figures, shards: shards, stop: stop, pool: pool, update: update)
        }
        func combine(_ gradients: SparseShardGradients, figures: StepFigures, shards: Int, stop: Bool) -> StepOutcome {
            lock.withLock { sparse += 1; self.figures += 1 }
            return LocalCombiner().combine(gradients, figures: figures, shards: shards, stop: stop)
        }
    }

    @Test func everyStepGoesThroughTheCombiner() throws {
        var o = TrainingOptions()
        o.batchSize = 64
        o.epochs = 3
        o.tol = nil
        let pool = try WorkerPool(workers: 2)
        let dense = blobs(samples: 300, features: 5, classes: 3, seed: 2)
        let start = LinearModel(kind: .softmax, featureCount: 5, classCount: 3)
        let counting = CountingCombiner()
        let counted = try Trainer(options: o, pool: pool, combiner: counting).train(start, on: dense)
        let local = try Trainer(options: o, pool: pool).train(start, on: dense)
        #expect(counting.figures == counted.steps && counting.dense == counted.steps && counting.sparse == 0)
        #expect(counted.steps == 3 * 5)
        #expect(counted.model.parameters.map(\.bitPattern) == local.model.parameters.map(\.bitPattern))

        let rows = sparseRows(rows: 300, features: 40, classes: 3, seed: 3)
        let sparseCounting = CountingCombiner()
        let sparseStart = LinearModel(kind: .softmax, featureCount: 40, classCount: 3)
        let sparseRun = try SparseTrainer(options: o, pool: pool, combiner: sparseCounting).train(sparseStart, on: rows)
        let sparseLocal = try SparseTrainer(options: o, pool: pool).train(sparseStart, on: rows)
        #expect(sparseCounting.figures == sparseRun.steps && sparseCounting.sparse == sparseRun.steps)
        #expect(sparseCounting.dense == 0)
        #expect(sparseRun.model.parameters.map(\.bitPattern) == sparseLocal.model.parameters.map(\.bitPattern))
    }

    /// A combiner decides the figures: one that reports every step's loss twice doubles the
    /// epoch's running loss (so a step that bypassed it would show).
    @Test func theCombinersFiguresAreTheStepsFigures() throws {
        struct Doubling: StepCombiner {
            func combine(_ g: ShardBuffers, figures: [StepFigures], shards: Int, stop: Bool, pool: WorkerPool,
                         update: @escaping (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> StepOutcome {
                var o = LocalCombiner().combine(g, figures: figures, shards: shards, stop: stop, pool: pool, update: update)
                o.figures.loss *= 2
                return o
            }
            func combine(_ g: SparseShardGradients, figures: StepFigures, shards: Int, stop: Bool) -> StepOutcome {
                LocalCombiner().combine(g, figures: figures, shards: shards, stop: stop)
            }
        }
        var o = TrainingOptions()
        o.epochs = 2
        o.tol = nil
        let pool = try WorkerPool(workers: 1)
        let data = blobs(samples: 200, features: 3, classes: 2, seed: 5)
        let start = LinearModel(kind: .logistic, featureCount: 3, classCount: 2)
        let doubled = try Trainer(options: o, pool: pool, combiner: Doubling()).train(start, on: data)
        let plain = try Trainer(options: o, pool: pool).train(start, on: data)
        #expect(doubled.epochs[0].loss == 2 * plain.epochs[0].loss)
        #expect(doubled.epochs[0].accuracy == plain.epochs[0].accuracy)
    }

    /// Splits cut by the caller (a cross-validation fold) get a scaler fitted on their own
    /// training rows, applied unchanged to the others.
    @Test func ownSplitsGetTheirOwnScaler() throws {
        let all = blobs(samples: 90, features: 3, classes: 3, noise: 2, seed: 9)
        let train = all.subset(Array(0..<60)), held = all.subset(Array(60..<90))
        let p = Prepared(train: train, test: held, validation: nil, scaling: .fitted, label: "label", source: "fold")
        let fitted = train.fittedScaler()
        #expect(p.scaler == fitted)
        var expected = held
        expected.standardize(with: fitted)
        #expect(p.test!.features == expected.features)
        // The training split is centred by its own means; the held-out rows are not.
        for j in 0..<3 {
            let mean = (0..<60).reduce(0.0) { $0 + Double(p.train.features[$1 * 3 + j]) } / 60
            #expect(abs(mean) < 1e-5)
        }
        #expect(p.scaler != all.fittedScaler())
        let none = Prepared(train: train, test: held, validation: nil, scaling: .none, label: "label", source: "fold")
        #expect(none.scaler == nil && none.train.features == train.features)
    }

    /// Configs and options built in code are checked as config files are: the error names the key.
    @Test func codeBuiltConfigsAreValidated() throws {
        let pool = try WorkerPool(workers: 1)
        let rows = blobs(samples: 60, features: 2, classes: 2, seed: 4)
        let data = Prepared(train: rows, test: nil, validation: nil, scaling: .fitted, label: "label", source: "memory")
        var config = Config()
        config.training.nesterov = true
        #expect(throws: LearningError.config(file: "<config>", key: "training.nesterov",
                                             message: "nesterov needs momentum > 0")) {
            try fit(config, data: data, pool: pool)
        }
        var options = TrainingOptions()
        options.batchSize = 0
        let start = LinearModel(kind: .logistic, featureCount: 2, classCount: 2)
        do {
            _ = try Trainer(options: options, pool: pool).train(start, on: rows)
            Issue.record("batch_size 0 trained")
        } catch {
            guard case .config(_, let key, _) = error else { Issue.record("\(error)"); return }
            #expect(key == "training.batch_size")
        }
    }
}
