import DataParallel
import Foundation
import Testing
@testable import Learning
import LearningKernels

@Suite struct TrainerTests {
    func options(batch: Int, epochs: Int, rate: LearningRateKind = .constant, eta0: Double = 0.1) -> TrainingOptions {
        var o = TrainingOptions()
        o.batchSize = batch
        o.epochs = epochs
        o.learningRate = rate
        o.eta0 = eta0
        o.tol = nil
        o.seed = 42
        return o
    }

    func train(_ data: Dataset, _ o: TrainingOptions, kind: LinearModelKind, workers: Int) throws -> TrainingRun<LinearModel> {
        let start = LinearModel(kind: kind, featureCount: data.featureCount, classCount: data.classes.count)
        return try Trainer(options: o, pool: WorkerPool(workers: workers)).train(start, on: data)
    }

    /// Batch sizes that give 1, 2, 3, 9 and 16 shards (clamp(B / 32, 1, 16)), with a short
    /// last batch each epoch.
    @Test(arguments: [(1, LinearModelKind.softmax), (70, .softmax), (100, .softmax), (300, .softmax), (600, .softmax),
                      (100, .logistic)])
    func weightsAreBitwiseIdenticalForAnyWorkerCount(batch: Int, kind: LinearModelKind) throws {
        #expect(Trainer.plan(batchRows: batch).shardCount == [1: 1, 70: 2, 100: 3, 300: 9, 600: 16][batch])
        let data = blobs(samples: 613, features: 9, classes: kind == .softmax ? 4 : 2, seed: 5)
        let o = options(batch: batch, epochs: 3, rate: .invscaling)
        let reference = try train(data, o, kind: kind, workers: 1)
        for workers in [2, 3, 8] {
            let run = try train(data, o, kind: kind, workers: workers)
            #expect(run.model.parameters.map(\.bitPattern) == reference.model.parameters.map(\.bitPattern),
                    "workers \(workers) differ from workers 1")
            #expect(run.epochs.map(\.loss) == reference.epochs.map(\.loss))
        }
        // A different seed shuffles differently and gives different weights.
        var other = o
        other.seed = 43
        if batch < data.count {
            #expect(try train(data, other, kind: kind, workers: 2).model.parameters != reference.model.parameters)
        }
    }

    @Test func oneFullBatchStepIsTheRegularisedGradientStep() throws {
        // W <- W - eta * (G / B + alpha * W), b <- b - eta * g_b / B, from W = 0: the step is
        // -eta * G / B, G = sum (p - y) x^T with p uniform (1/K) at W = 0.
        let data = blobs(samples: 50, features: 3, classes: 3, seed: 2)
        var o = options(batch: 50, epochs: 1, eta0: 0.5)
        o.alpha = 0.1
        o.shuffle = false
        let run = try train(data, o, kind: .softmax, workers: 2)
        var expected = [Double](repeating: 0, count: 12)
        for i in 0..<50 {
            for c in 0..<3 {
                let g = 1.0 / 3.0 - (Int(data.labels[i]) == c ? 1 : 0)
                for j in 0..<3 { expected[c * 3 + j] += g * Double(data.features[i * 3 + j]) }
                expected[9 + c] += g
            }
        }
        let trained = run.model.weights + run.model.bias
        for i in 0..<12 {
            #expect(abs(Double(trained[i]) - (-0.5 * expected[i] / 50)) < 1e-5)
        }
    }

    @Test func sgdStepAppliesPenaltyToWeightsOnly() {
        let g: [Float] = [4, 4, 4]
        // The step in one range, and in two ranges split inside the weights: same result.
        for ranges in [[0..<3], [0..<1, 1..<3]] {
            var p: [Float] = [1, -2, 3]  // two weights, one bias
            p.withUnsafeMutableBufferPointer { pb in
                for r in ranges {
                    sgdStep(parameters: pb.baseAddress!, gradient: g, range: r, weightCount: 2, eta: 0.5,
                            batchSize: 2, decay: 0.1)
                }
            }
            // w: 1 - 0.5 * (4/2 + 0.1 * 1) = -0.05; -2 - 0.5 * (2 - 0.2) = -2.9; b: 3 - 0.5 * 2 = 2.
            #expect(abs(p[0] - -0.05) < 1e-6 && abs(p[1] - -2.9) < 1e-6 && p[2] == 2)
        }
    }

    @Test func tolStopsAfterNIterNoChangeEpochsWithoutImprovement() throws {
        let data = blobs(samples: 200, features: 4, classes: 3, seed: 9)
        var o = options(batch: 20, epochs: 50)
        // With tol = 10 no epoch improves on the best by 10, so training stops after
        // the first epoch (the best) plus n_iter_no_change epochs.
        o.tol = 10
        o.nIterNoChange = 3
        let run = try train(data, o, kind: .softmax, workers: 2)
        #expect(run.epochs.count == 4)
        #expect(run.stopReason == .converged)
        o.tol = nil
        let full = try train(data, o, kind: .softmax, workers: 2)
        #expect(full.epochs.count == 50)
        #expect(full.stopReason == .maxEpochs)
        #expect(full.steps == 50 * 10)
    }

    @Test func divergenceIsATrainingErrorNamingTheEpoch() throws {
        var data = blobs(samples: 100, features: 4, classes: 3, seed: 9)
        data.features = data.features.map { $0 * 1e18 }
        let o = options(batch: 10, epochs: 5, eta0: 1e18)
        #expect {
            try train(data, o, kind: .softmax, workers: 2)
        } throws: { error in
            guard case .training(let message) = error as? LearningError else { return false }
            return message.contains("epoch 1") && message.contains("eta0")
        }
    }

    /// Full-batch gradient descent reaches the optimum that an independent solver found
    /// (scripts/iris_optimum.py: scikit-learn's LogisticRegression, checked with scipy).
    @Test(arguments: [0.01, 0.001])
    func fullBatchReachesTheIrisOptimum(alpha: Double) throws {
        let fixture = try JSONParser.parse([UInt8](try Data(contentsOf: Repo.root.appendingPathComponent(
            "Tests/LearningTests/Fixtures/iris_optimum.json"))))
        guard case .array(let optima)? = fixture["optima"],
              let entry = optima.first(where: { $0["alpha"] == .number(alpha) }),
              case .number(let optimum)? = entry["objective"]
        else { Issue.record("fixture has no optimum for alpha \(alpha)"); return }

        let table = try CSVReader.read(path: Repo.path("data/iris.csv"), label: "label")
        var data = table.encoded(classes: table.distinctLabels)
        #expect(data.classes == ["setosa", "versicolor", "virginica"])
        Standardizer(fitting: data.features, featureCount: 4).transform(&data.features)
        var o = options(batch: data.count, epochs: alpha == 0.01 ? 4000 : 30000, eta0: 1.0)
        o.alpha = alpha
        o.shuffle = false
        let run = try train(data, o, kind: .softmax, workers: 2)
        let final = Evaluation(model: run.model, data: data, pool: try WorkerPool(workers: 2))
        let objective = final.logLoss + alpha * Penalty.l2.value(run.model.penalizedWeights)
        #expect(abs(objective - optimum) / optimum < 1e-4, "objective \(objective) vs optimum \(optimum)")
        #expect(objective >= optimum * (1 - 1e-6), "below the true optimum: the objective is wrong")
    }
}

@Suite struct TimeBudgetTests {
    @Test func maxSecondsStopsAtTheEndOfAnEpoch() throws {
        let data = blobs(samples: 300, features: 5, classes: 3, seed: 2)
        var o = TrainingOptions()
        o.learningRate = .constant
        o.eta0 = 0.1
        o.epochs = 50
        o.tol = nil
        o.maxSeconds = 1e-9  // runs out during the first epoch
        let run = try Trainer(options: o, pool: WorkerPool(workers: 2))
            .train(LinearModel(kind: .softmax, featureCount: 5, classCount: 3), on: data)
        #expect(run.epochs.count == 1 && run.stopReason == .timeBudget)
        o.maxSeconds = 3600
        let full = try Trainer(options: o, pool: WorkerPool(workers: 2))
            .train(LinearModel(kind: .softmax, featureCount: 5, classCount: 3), on: data)
        #expect(full.epochs.count == 50 && full.stopReason == .maxEpochs)
    }
}

@Suite struct EarlyStoppingTests {
    /// A set that overfits: few rows, many pure-noise features, weak regularisation.
    func overfittingData() -> (train: Dataset, validation: Dataset) {
        var g = SplitMix64(seed: 11)
        let n = 160, d = 60
        var x = [Float](repeating: 0, count: n * d)
        var y = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            y[i] = Int32(i % 2)
            for j in 0..<d { x[i * d + j] = Float(g.nextGaussian()) }
            x[i * d] += y[i] == 1 ? 0.8 : -0.8  // one weakly informative feature
        }
        let all = Dataset(features: x, labels: y, classes: ["a", "b"], featureNames: (0..<d).map { "f\($0)" })
        let split = Splitting.stratified(labels: y, classCount: 2, testFraction: 0.25, seed: 3)
        return (all.subset(split.train), all.subset(split.test))
    }

    @Test func stopsBeforeTheLimitAndKeepsTheBestValidationModel() throws {
        let (train, validation) = overfittingData()
        var o = TrainingOptions()
        o.learningRate = .constant
        o.eta0 = 0.5
        o.alpha = 1e-6
        o.batchSize = 8
        o.epochs = 300
        o.tol = 1e-3
        o.nIterNoChange = 5
        o.earlyStopping = true
        let pool = try WorkerPool(workers: 2)
        let run = try Trainer(options: o, pool: pool)
            .train(LinearModel(kind: .logistic, featureCount: 60, classCount: 2), on: train, validation: validation)
        #expect(run.stopReason == .earlyStopping)
        #expect(run.epochs.count < 300)
        let accuracies = run.epochs.map { $0.validationAccuracy! }
        let best = accuracies.max()!
        // The returned model is the best epoch's: its validation accuracy is the best seen,
        // even when the last epochs were worse.
        #expect(Evaluation(model: run.model, data: validation, pool: pool).accuracy == best)
        // Training loss kept falling after the best epoch (the set overfits).
        let bestEpoch = accuracies.firstIndex(of: best)!
        #expect(run.epochs.last!.loss < run.epochs[bestEpoch].loss)
    }

    @Test func withoutTheFlagTheValidationSetIsIgnored() throws {
        let (train, validation) = overfittingData()
        var o = TrainingOptions()
        o.learningRate = .constant
        o.eta0 = 0.1
        o.epochs = 3
        o.tol = nil
        let run = try Trainer(options: o, pool: WorkerPool(workers: 1))
            .train(LinearModel(kind: .logistic, featureCount: 60, classCount: 2), on: train, validation: validation)
        #expect(run.epochs.allSatisfy { $0.validationAccuracy == nil } && run.stopReason == .maxEpochs)
    }
}
