import DataParallel
import Synchronization
import Testing
@testable import Learning

@Suite struct ModelSearchTests {
    /// Two classes: `informative` features shifted by ±`shift`, the rest pure N(0, 1) noise.
    static func noisyRows(samples n: Int, features d: Int, informative: Int, shift: Double, seed: UInt64) -> Dataset {
        var g = SplitMix64(seed: seed)
        var x = [Float](repeating: 0, count: n * d)
        var y = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            y[i] = Int32(i % 2)
            for j in 0..<d {
                x[i * d + j] = Float(g.nextGaussian() + (j < informative ? (y[i] == 1 ? shift : -shift) : 0))
            }
        }
        return Dataset(features: x, labels: y, classes: ["a", "b"], featureNames: (0..<d).map { "f\($0)" })
    }

    static func config(batch: Int = 8, epochs: Int = 40) -> Config {
        var c = Config()
        c.modelType = .auto
        c.data.testFraction = 0.2
        c.training.learningRate = .constant
        c.training.eta0 = 0.05
        c.training.batchSize = batch
        c.training.epochs = epochs
        c.training.tol = nil
        return c
    }

    static func alphas(_ values: [Double], base: Config) throws -> [Candidate] {
        try SearchSpace(parameters: [("training.alpha", .values(values.map { .number($0) }))]).candidates(base: base)
    }

    static func loaded(_ rows: Dataset) -> LoadedData<Dataset> {
        LoadedData(rows: rows, test: nil, label: "label", source: "memory")
    }

    @Test("heavy regularisation wins on few rows with many noise features: the largest alpha is chosen")
    func heavyRegularisationWins() throws {
        let rows = Self.noisyRows(samples: 60, features: 150, informative: 1, shift: 0.6, seed: 5)
        let base = Self.config()
        let result = try search(try Self.alphas([1e-4, 1e-2, 1.0], base: base), base: base, data: Self.loaded(rows),
                                folds: 4, workers: 2)
        #expect(result.best?.candidate == 2, "\(result.ranking.map { ($0.candidate, $0.meanLogLoss!) })")
    }

    @Test("regularisation loses on many rows of a few clear features: the smallest alpha is chosen")
    func lightRegularisationWins() throws {
        let rows = Self.noisyRows(samples: 400, features: 4, informative: 4, shift: 1.0, seed: 6)
        let base = Self.config(batch: 16, epochs: 30)
        let result = try search(try Self.alphas([1e-4, 1e-2, 1.0], base: base), base: base, data: Self.loaded(rows),
                                folds: 4, workers: 2)
        #expect(result.best?.candidate == 0, "\(result.ranking.map { ($0.candidate, $0.meanLogLoss!) })")
    }

    /// A search whose jobs differ in size: batch 8 (one shard a step) and 128 (four), so
    /// that with few jobs the split gives a job several workers.
    static func mixedSearch(folds k: Int = 3) throws -> ModelSearch<Dataset> {
        let rows = blobs(samples: 240, features: 6, classes: 3, noise: 2.0, seed: 9)
        let base = config(epochs: 6)
        let space = SearchSpace(parameters: [("training.batch_size", .values([.number(8), .number(128)])),
                                             ("training.alpha", .values([.number(1e-4), .number(1e-2)]))])
        let data = try SearchData(loaded(rows), base: base)
        let folds = Folds(labels: data.train.labels, classCount: 3, count: k, seed: 0)
        return ModelSearch(candidates: try space.candidates(base: base), data: data, folds: folds)
    }

    static func bits(_ scores: [FoldScore]) -> [[UInt64]] {
        scores.map { [UInt64($0.candidate), UInt64($0.fold), $0.accuracy!.bitPattern, $0.logLoss!.bitPattern,
                      UInt64($0.epochs)] }
    }

    @Test("a parallel search gives the bits of running the jobs one by one on one worker", arguments: [1, 2, 3])
    func parallelEqualsSequential(workers: Int) throws {
        let s = try Self.mixedSearch()
        let pool = try WorkerPool(workers: 1)
        let sequential = try (0..<s.jobCount).map { j in try #require(try s.run(job: j, pool: pool)) }
        let parallel = try s.run(workers: workers)
        #expect(parallel.isComplete)
        #expect(Self.bits(parallel.foldScores) == Self.bits(sequential))
        // One candidate, two folds: fewer jobs than workers, so a job gets several.
        let one = ModelSearch(candidates: [s.candidates[3]], data: s.data,
                              folds: Folds(labels: s.data.train.labels, classCount: 3, count: 2, seed: 1))
        let wide = try one.run(workers: workers)
        let narrow = try (0..<2).map { j in try #require(try one.run(job: j, pool: pool)) }
        #expect(Self.bits(wide.foldScores) == Self.bits(narrow))
    }

    @Test("the split: one worker a job for many small jobs, several for few large ones, fewer jobs when memory is short")
    func workerSplit() throws {
        let s = try Self.mixedSearch()
        #expect(try s.workerSplit(workers: 4).slots == [1, 1, 1, 1])  // 12 jobs
        #expect(try s.workerSplit(workers: 8, jobs: 2).slots == [4, 4])  // batch 128: 4 shards
        let need = SearchMemory.jobBytes(s.candidates[0].config, data: s.data)
        let held = SearchMemory.bytes(of: s.data.train) + SearchMemory.bytes(of: s.data.test!)
        #expect(try s.workerSplit(workers: 4, available: held + 2.5 * need).concurrentJobs == 2)
        #expect(throws: LearningError.self) { try s.workerSplit(workers: 4, available: held + 0.5 * need) }
    }

    @Test("an interrupted search keeps its finished jobs; run again with them, it ends as one never interrupted")
    func interruptedThenRerun() throws {
        let s = try Self.mixedSearch()
        let whole = try s.run(workers: 2)
        let count = Atomic<Int>(0)
        let first = try s.run(workers: 2, shouldStop: { count.load(ordering: .relaxed) >= 5 },
                              onScore: { _ in count.add(1, ordering: .relaxed) })
        #expect(!first.isComplete)
        #expect(first.foldScores.count >= 5 && first.foldScores.count < s.jobCount)
        let seen = Mutex<Int>(0)
        let rest = try s.run(workers: 3, done: first.foldScores, onScore: { _ in seen.withLock { $0 += 1 } })
        #expect(seen.withLock { $0 } == s.jobCount - first.foldScores.count)
        #expect(Self.bits(rest.foldScores) == Self.bits(whole.foldScores))
        #expect(rest.ranking.map(\.candidate) == whole.ranking.map(\.candidate))
    }

    @Test("per-candidate figures: mean and population sd over the folds, ranked by mean log loss")
    func candidateFigures() throws {
        let f = [0.5, 0.7, 0.9].enumerated().map { i, l in
            FoldScore(candidate: 0, fold: i, accuracy: 1 - l / 2, logLoss: l, seconds: Double(i), epochs: 10 + i,
                      stopReason: .maxEpochs)
        }
        let c = CandidateScore(candidate: 0, folds: f)
        // mean 0.7; sd = sqrt((0.04 + 0 + 0.04) / 3) = 0.163299...
        #expect(abs(c.meanLogLoss! - 0.7) < 1e-15)
        #expect(abs(c.sdLogLoss! - (0.08 / 3).squareRoot()) < 1e-15)
        #expect(abs(c.sdAccuracy! - (0.02 / 3).squareRoot()) < 1e-15)
        #expect(c.meanSeconds == 1 && c.meanEpochs == 11)
        var failed = f
        failed[1] = FoldScore(candidate: 0, fold: 1, accuracy: nil, logLoss: nil, seconds: 0, epochs: 0, stopReason: nil,
                              failure: "diverged")
        let bad = CandidateScore(candidate: 1, folds: failed.map { var s = $0; s.candidate = 1; return s })
        #expect(bad.meanLogLoss == nil && bad.failure == "diverged")
        #expect(c.ranksBefore(bad) && !bad.ranksBefore(c))
    }

    @Test("a candidate that diverges is a failed candidate, ranked last; the search goes on")
    func divergenceIsRecorded() throws {
        let rows = blobs(samples: 120, features: 4, classes: 2, seed: 3)
        var base = Self.config(epochs: 20)
        base.data.standardize = false
        let space = SearchSpace(parameters: [("training.eta0", .values([.number(0.01), .number(1e30)]))])
        let result = try search(try space.candidates(base: base), base: base, data: Self.loaded(rows), folds: 3, workers: 2)
        #expect(result.isComplete)
        #expect(result.best?.candidate == 0)
        #expect(result.ranking.last?.candidate == 1 && result.ranking.last?.failure != nil)
    }

    @Test("cross-validating one config: the test split is left out, every fold scored")
    func crossValidateOneConfig() throws {
        let rows = blobs(samples: 100, features: 3, classes: 2, seed: 4)
        let score = try crossValidate(Self.config(), data: Self.loaded(rows), folds: 5, workers: 2)
        #expect(score.folds.count == 5)
        // 80 training rows (20% test), 16 in each fold.
        #expect(score.folds.allSatisfy { $0.succeeded })
        let data = try SearchData(Self.loaded(rows), base: Self.config())
        #expect(data.train.count == 80 && data.test?.count == 20)
        #expect(Set(data.trainRows).count == 80)
    }

    @Test("a fold's scaler is fitted on its training rows only")
    func foldScaler() throws {
        let rows = blobs(samples: 60, features: 3, classes: 2, seed: 8)
        let data = try SearchData(Self.loaded(rows), base: Self.config())
        let folds = Folds(labels: data.train.labels, classCount: 2, count: 3, seed: 0)
        let p = data.fold(1, of: folds, config: Self.config())
        let own = data.train.subset(folds.trainingRows(1)).fittedScaler()
        #expect(p.scaler == own)
        #expect(p.test?.count == folds.validationRows(1).count)
    }
}
