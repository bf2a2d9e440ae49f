import DataParallel
import Foundation
import Testing
@testable import Learning

/// Training with sample and class weights: determinism, alignment of weights with their rows
/// through the shuffles, the reported loss, and what "balanced" does on imbalanced data.
@Suite struct SampleWeightTrainingTests {
    func options(batch: Int, epochs: Int, eta0: Double = 0.1) -> TrainingOptions {
        var o = TrainingOptions()
        o.batchSize = batch
        o.epochs = epochs
        o.learningRate = .constant
        o.eta0 = eta0
        o.tol = nil
        o.seed = 7
        return o
    }

    func train(_ start: Model, _ data: Dataset, _ o: TrainingOptions, workers: Int) throws -> TrainingRun<Model> {
        try Trainer(options: o, pool: WorkerPool(workers: workers)).train(start, on: data)
    }

    /// Fractional sample weights, some of them 0.
    func weighted(_ data: Dataset) -> Dataset {
        var d = data
        d.weights = (0..<d.count).map { i in [0.5, 2, 1.25, 0, 3][i % 5] }
        return d
    }

    static let starts: [(String, @Sendable (Int, Int) -> Model)] = [
        ("softmax", { d, k in .linear(LinearModel(kind: .softmax, featureCount: d, classCount: k)) }),
        ("mlp", { d, k in .mlp(MLP(featureCount: d, hidden: [8], activation: .relu, classCount: k).initialized(seed: 3)) }),
    ]

    @Test(arguments: [(100, "softmax"), (300, "softmax"), (100, "mlp"), (33, "logistic")])
    func weightedTrainingIsBitwiseIdenticalForAnyWorkerCount(batch: Int, model: String) throws {
        let k = model == "logistic" ? 2 : 4
        let data = weighted(blobs(samples: 517, features: 9, classes: k, seed: 8))
        let start: Model = model == "logistic"
            ? .linear(LinearModel(kind: .logistic, featureCount: 9, classCount: 2))
            : Self.starts.first { $0.0 == model }!.1(9, k)
        var o = options(batch: batch, epochs: 3)
        o.classWeight = .balanced
        let reference = try train(start, data, o, workers: 1)
        for workers in [2, 3] {
            let run = try train(start, data, o, workers: workers)
            #expect(run.model.parameters.map(\.bitPattern) == reference.model.parameters.map(\.bitPattern),
                    "workers \(workers) differ from workers 1")
            #expect(run.epochs.map(\.loss) == reference.epochs.map(\.loss))
        }
        // The weights matter: without them training ends elsewhere.
        var plain = data
        plain.weights = nil
        o.classWeight = nil
        #expect(try train(start, plain, o, workers: 2).model.parameters != reference.model.parameters)
    }

    @Test func weightsOfOneTrainLikeNoWeightsBitForBit() throws {
        let data = blobs(samples: 301, features: 5, classes: 3, seed: 4)
        var ones = data
        ones.weights = [Float](repeating: 1, count: data.count)
        for (_, make) in Self.starts {
            let o = options(batch: 64, epochs: 2)
            let plain = try train(make(5, 3), data, o, workers: 2)
            let weighted = try train(make(5, 3), ones, o, workers: 2)
            #expect(plain.model.parameters.map(\.bitPattern) == weighted.model.parameters.map(\.bitPattern))
            #expect(plain.epochs.map(\.loss) == weighted.epochs.map(\.loss))
        }
    }

    /// Rows of weight 0 add exactly nothing to a step, so what they hold cannot matter, as long
    /// as every row keeps its own weight through the epochs' shuffles.
    @Test func weightsStayWithTheirRowsThroughTheShuffles() throws {
        let data = weighted(blobs(samples: 403, features: 6, classes: 3, seed: 5))
        var scrambled = data
        for i in 0..<data.count where data.weights![i] == 0 {
            for j in 0..<6 { scrambled.features[i * 6 + j] = 40 * scrambled.features[i * 6 + j] + 7 }
            scrambled.labels[i] = (scrambled.labels[i] + 1) % 3
        }
        for (name, make) in Self.starts {
            for batch in [1, 50] {
                let o = options(batch: batch, epochs: 3, eta0: 0.05)
                let a = try train(make(6, 3), data, o, workers: 2)
                let b = try train(make(6, 3), scrambled, o, workers: 2)
                #expect(a.model.parameters == b.model.parameters, "\(name), batch \(batch)")
                #expect(a.epochs.map(\.loss) == b.epochs.map(\.loss), "\(name), batch \(batch)")
                // Control: the same rows with weight 1 do change the result.
                var heavy = scrambled
                heavy.weights = heavy.weights!.map { $0 == 0 ? 1 : $0 }
                #expect((try? train(make(6, 3), heavy, o, workers: 2))?.model.parameters != a.model.parameters)
            }
        }
    }

    @Test func oneFullBatchStepDividesTheWeightedGradientByTheBatchSize() throws {
        // From W = 0 every p is 1/K, every loss log K; the step is -eta G / B with
        // G = sum_i w_i (p_i - y_i) x_i^T, and the epoch's loss is (1/n) sum_i w_i log K.
        let data = weighted(blobs(samples: 40, features: 3, classes: 3, seed: 2))
        var o = options(batch: 40, epochs: 1, eta0: 0.5)
        o.shuffle = false
        o.penalty = .none
        let run = try train(.linear(LinearModel(kind: .softmax, featureCount: 3, classCount: 3)), data, o, workers: 2)
        var expected = [Double](repeating: 0, count: 12)
        var weightSum = 0.0
        for i in 0..<40 {
            let w = Double(data.weights![i])
            weightSum += w
            for c in 0..<3 {
                let g = w * (1.0 / 3.0 - (Int(data.labels[i]) == c ? 1 : 0))
                for j in 0..<3 { expected[c * 3 + j] += g * Double(data.features[i * 3 + j]) }
                expected[9 + c] += g
            }
        }
        let m = try #require(run.model.linear)
        let trained = m.weights + m.bias
        for i in 0..<12 { #expect(abs(Double(trained[i]) - (-0.5 * expected[i] / 40)) < 1e-5) }
        #expect(abs(run.epochs[0].loss - log(3.0) * weightSum / 40) < 1e-6)
        #expect(weightSum / 40 != 1)  // the weights' mean is not 1, so the check tells the divisors apart
    }

    /// Two overlapping Gaussian blobs in 4 dimensions, `majority` rows of "a" around 0 and
    /// `minority` rows of "b" around (1, 1, 1, 1) * 1.1.
    func imbalanced(majority: Int, minority: Int, seed: UInt64) -> Dataset {
        var g = SplitMix64(seed: seed)
        var x: [Float] = [], y: [Int32] = []
        for i in 0..<(majority + minority) {
            let c: Int32 = i < majority ? 0 : 1
            for _ in 0..<4 { x.append(Float(g.nextGaussian() + (c == 1 ? 1.1 : 0))) }
            y.append(c)
        }
        return Dataset(features: x, labels: y, classes: ["a", "b"], featureNames: ["x0", "x1", "x2", "x3"])
    }

    @Test func balancedClassWeightsRaiseTheMinorityClassRecall() throws {
        let train = imbalanced(majority: 950, minority: 50, seed: 1)
        let test = imbalanced(majority: 1000, minority: 1000, seed: 2)
        let pool = try WorkerPool(workers: 2)
        func minorityRecall(_ classWeight: ClassWeight?, kind: LinearModelKind) throws -> Double {
            var o = options(batch: 16, epochs: 30, eta0: 0.05)
            o.classWeight = classWeight
            let run = try Trainer(options: o, pool: pool)
                .train(LinearModel(kind: kind, featureCount: 4, classCount: 2), on: train)
            return Evaluation(model: run.model, data: test, pool: pool).classScores[1].recall
        }
        for kind in [LinearModelKind.logistic, .softmax] {
            let plain = try minorityRecall(nil, kind: kind)
            let balanced = try minorityRecall(.balanced, kind: kind)
            // The same effect by hand: class b weighs 19 times class a (950 / 50).
            let given = try minorityRecall(.given([LabelWeight(label: "b", weight: 19)]), kind: kind)
            // Measured: unweighted 0.34 (logistic) and 0.40 (softmax), weighted 0.88.
            #expect(plain < 0.5, "\(kind): unweighted minority recall \(plain)")
            #expect(balanced > 0.75 && balanced > plain + 0.3, "\(kind): balanced \(balanced) vs unweighted \(plain)")
            #expect(given > 0.75 && given > plain + 0.3, "\(kind): given \(given) vs unweighted \(plain)")
        }
    }
}

/// Sample weights through data preparation and a whole training job.
@Suite struct SampleWeightJobTests {
    /// 3 imbalanced classes; x0 is the row number and w = (row mod 7) / 2 + 0.5, so every row
    /// shows which weight it must carry.
    func csv(rows: Int) -> String {
        var g = SplitMix64(seed: 11)
        var text = "x0,w,x1,label\n"
        for i in 0..<rows {
            let label = ["p", "q", "q", "r", "r", "r"][i % 6]
            text += "\(i),\(Double(i % 7) / 2 + 0.5),\(g.nextGaussian() + Double(label == "p" ? 2 : label == "q" ? 0 : -2)),\(label)\n"
        }
        return text
    }

    func expectAligned(_ d: Dataset?, _ what: String) throws {
        let d = try #require(d, "\(what) missing")
        let w = try #require(d.weights, "\(what) has no weights")
        for i in 0..<d.count {
            let row = Int(d.features[i * 2])
            #expect(w[i] == Float(Double(row % 7) / 2 + 0.5), "\(what) row \(row)")
        }
    }

    @Test func weightsTravelWithTheirRowsThroughTheTestAndValidationSplits() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        var c = Config()
        c.data.train = dir.write("t.csv", csv(rows: 300))
        c.data.weight = "w"
        c.data.standardize = false
        c.data.testFraction = 0.25
        c.training.earlyStopping = true
        let p = try PreparedData.load(c)
        #expect(p.train.featureNames == ["x0", "x1"] && p.weight == "w")
        #expect(p.train.count + p.validation!.count + p.test!.count == 300)
        try expectAligned(p.train, "train")
        try expectAligned(p.test, "test")
        try expectAligned(p.validation, "validation")
        // A test file may hold the weight column; it is not a feature there either.
        c.data.test = dir.write("u.csv", csv(rows: 20))
        let q = try PreparedData.load(c)
        #expect(q.test?.count == 20 && q.test?.featureNames == ["x0", "x1"])
        c.data.test = dir.write("v.csv", "x1,label,x0\n1,p,2\n")
        #expect(try PreparedData.load(c).test?.features == [2, 1])
    }

    @Test func npyTrainingDataTakesItsWeightsFromTrainWeights() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let n = 30
        let x: [Float] = (0..<n).flatMap { i in [Float(i), Float(i % 3)] }
        var c = Config()
        c.data.train = NPYWriter.write(dir, "x.npy", NPYWriter.bytes(descr: "<f4", shape: [n, 2], body: NPYWriter.raw(x)))
        c.data.trainLabels = NPYWriter.write(dir, "y.npy", NPYWriter.bytes(descr: "<i8", shape: [n], body: NPYWriter.raw((0..<n).map { Int64($0 % 3) })))
        c.data.trainWeights = NPYWriter.write(dir, "w.npy", NPYWriter.bytes(descr: "<f4", shape: [n], body: NPYWriter.raw((0..<n).map { Float($0 % 7) / 2 + 0.5 })))
        c.data.standardize = false
        c.data.testFraction = 0.2
        let p = try PreparedData.load(c)
        try expectAligned(p.train, "train")
        try expectAligned(p.test, "test")
    }

    @Test func aClassWeightForALabelThatIsNotAClassIsAConfigError() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        var c = Config()
        c.data.train = dir.write("t.csv", csv(rows: 30))
        c.training.classWeight = .given([LabelWeight(label: "q", weight: 2), LabelWeight(label: "zebra", weight: 3)])
        #expect(throws: LearningError.config(file: "<config>", key: "training.class_weight.zebra",
                                             message: "'zebra' is not a class of the training data (classes: p, q, r)")) {
            _ = try PreparedData.load(c)
        }
    }

    @Test func theTrainingLossIsWeightedAndTheTestLossIsNot() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        var c = Config()
        c.data.train = dir.write("t.csv", csv(rows: 240))
        c.data.weight = "w"
        c.data.testFraction = 0.25
        c.training.classWeight = .balanced
        c.training.epochs = 4
        c.training.tol = nil
        c.training.learningRate = .constant
        c.training.eta0 = 0.05
        c.outputDir = dir.file("out")
        let summary = try TrainingJob.run(c)

        let saved = try SavedModel.read(path: summary.modelPath)
        #expect(saved.weight == "w" && saved.featureNames == ["x0", "x1"])
        // Recompute both figures from the saved model on the same (seeded) split.
        let p = try PreparedData.load(c)
        let pool = try WorkerPool(workers: 1)
        let w = try #require(c.training.rowWeights(for: p.train))
        let losses = saved.model.score(p.train, pool: pool).losses
        let weighted = zip(w, losses).reduce(0.0) { $0 + Double($1.0) * $1.1 } / Double(losses.count)
        let unweighted = Evaluation(model: saved.model, data: p.train, pool: pool).logLoss
        #expect(abs(summary.trainLoss - weighted) <= 1e-12 * weighted)
        #expect(abs(weighted - unweighted) > 1e-3)
        let testLoss = Evaluation(model: saved.model, data: try #require(p.test), pool: pool).logLoss
        #expect(summary.testLoss == testLoss)
    }
}
