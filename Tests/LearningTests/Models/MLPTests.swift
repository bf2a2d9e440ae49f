import DataParallel
import Foundation
import Testing
@testable import Learning

/// An independent float64 network written from the formulas, for finite-difference checks.
/// Parameters are unpadded, layer by layer: [W_1 (out, in) | b_1 | W_2 | b_2 | ...].
enum ReferenceMLP {
    static func f(_ z: Double, _ a: Activation) -> Double {
        switch a {
        case .relu: max(z, 0)
        case .tanh: Foundation.tanh(z)
        case .sigmoid: 1 / (1 + Foundation.exp(-z))
        }
    }

    /// J = (1/n) sum_i loss_i + alpha * 0.5 * sum of squared weights (biases not penalised).
    static func objective(_ params: [Double], widths: [Int], activation: Activation, x: [Float], labels: [Int32],
                          alpha: Double) -> Double {
        let d = widths[0], n = labels.count
        var total = 0.0
        for i in 0..<n {
            var a = (0..<d).map { Double(x[i * d + $0]) }
            var at = 0
            for l in 0..<(widths.count - 1) {
                let (inputs, outputs) = (widths[l], widths[l + 1])
                var z = [Double](repeating: 0, count: outputs)
                for k in 0..<outputs {
                    var s = params[at + inputs * outputs + k]
                    for j in 0..<inputs { s += params[at + k * inputs + j] * a[j] }
                    z[k] = s
                }
                at += inputs * outputs + outputs
                a = l < widths.count - 2 ? z.map { f($0, activation) } : z
            }
            let y = Int(labels[i])
            if a.count == 1 {
                let p = 1 / (1 + Foundation.exp(-a[0]))
                total += y == 1 ? -Foundation.log(p) : -Foundation.log(1 - p)
            } else {
                let m = a.max()!
                total += m + Foundation.log(a.reduce(0) { $0 + Foundation.exp($1 - m) }) - a[y]
            }
        }
        var penalty = 0.0, at = 0
        for l in 0..<(widths.count - 1) {
            let count = widths[l] * widths[l + 1]
            penalty += params[at..<(at + count)].reduce(0) { $0 + $1 * $1 }
            at += count + widths[l + 1]
        }
        return total / Double(n) + alpha * 0.5 * penalty
    }
}

@Suite struct MLPTests {
    /// The network's parameters (or a gradient in its layout) unpadded, layer by layer.
    func unpadded(_ net: MLP, _ values: [Float]) -> [Float] {
        var m = net
        m.parameters = values
        return m.layers.indices.flatMap { m.weights(layer: $0) + m.bias(layer: $0) }
    }

    /// The kernels' mean gradient of the objective, unpadded, checking that padding stays 0.
    func analyticGradient(_ net: MLP, _ data: Dataset, alpha: Float) -> [Double] {
        var grad = [Float](repeating: .nan, count: net.parameters.count)
        var scratch = [Float](repeating: .nan, count: net.scratchLength(rows: data.count))
        let rows = (0..<Int32(data.count)).map { $0 }
        _ = net.computeGradient(x: data.features, labels: data.labels, rows: rows, count: data.count,
                                grad: &grad, scratch: &scratch)
        for layer in net.layers {
            for k in 0..<layer.outputs {
                for j in layer.inputs..<layer.stride { precondition(grad[layer.weightOffset + k * layer.stride + j] == 0) }
            }
        }
        let g = unpadded(net, grad), p = unpadded(net, net.parameters)
        var isWeight: [Bool] = []
        for layer in net.layers {
            isWeight += [Bool](repeating: true, count: layer.inputs * layer.outputs) + [Bool](repeating: false, count: layer.outputs)
        }
        return g.indices.map { i in Double(g[i]) / Double(data.count) + (isWeight[i] ? Double(alpha * p[i]) : 0) }
    }

    /// Every activation, softmax (3 classes) and sigmoid (2 classes) outputs, one and two
    /// hidden layers, input widths on the gathered (5) and direct (8) paths, hidden widths that
    /// need padding (6, 4) and that do not (8).
    @Test(arguments: [
        (Activation.relu, 3, [6], 5), (.relu, 2, [6, 4], 8), (.relu, 3, [8, 3], 5),
        (.tanh, 3, [6, 4], 5), (.tanh, 2, [8], 8),
        (.sigmoid, 3, [6, 4], 8), (.sigmoid, 2, [6], 5),
    ])
    func networkGradientMatchesFiniteDifferences(activation: Activation, classes: Int, hidden: [Int], features: Int) {
        let data = blobs(samples: 37, features: features, classes: classes, seed: 9)
        let net = MLP(featureCount: features, hidden: hidden, activation: activation, classCount: classes)
            .initialized(seed: 4)
        // Give the biases non-zero values too, so their gradient paths are exercised (never
        // exactly 0: a ReLU unit whose inputs are all 0 would then sit on its kink).
        var perturbed = net
        for layer in net.layers {
            for k in 0..<layer.outputs { perturbed.parameters[layer.biasOffset + k] = Float(k % 3) * 0.1 - 0.15 }
        }
        let alpha = 0.05
        let analytic = analyticGradient(perturbed, data, alpha: Float(alpha))
        let widths = [features] + hidden + [classes == 2 ? 1 : classes]
        let numeric = Reference.numericGradient(unpadded(perturbed, perturbed.parameters).map(Double.init), h: 1e-6) { p in
            ReferenceMLP.objective(p, widths: widths, activation: activation, x: data.features, labels: data.labels, alpha: alpha)
        }
        #expect(analytic.count == numeric.count)
        for (i, (a, n)) in zip(analytic, numeric).enumerated() {
            #expect(abs(a - n) <= 2e-4 + 2e-3 * abs(n), "parameter \(i): analytic \(a) vs numeric \(n)")
        }
        // The check has teeth: the same network with a different activation has a different gradient.
        let other = Activation.allCases.first { $0 != activation }!
        let wrong = Reference.numericGradient(unpadded(perturbed, perturbed.parameters).map(Double.init), h: 1e-6) { p in
            ReferenceMLP.objective(p, widths: widths, activation: other, x: data.features, labels: data.labels, alpha: alpha)
        }
        #expect(zip(analytic, wrong).contains { abs($0 - $1) > 1e-2 })
    }

    @Test func initialisationIsSeededAndScaledByTheRule() {
        let a = MLP(featureCount: 200, hidden: [300], activation: .relu, classCount: 10).initialized(seed: 1)
        let b = MLP(featureCount: 200, hidden: [300], activation: .relu, classCount: 10).initialized(seed: 1)
        let c = MLP(featureCount: 200, hidden: [300], activation: .relu, classCount: 10).initialized(seed: 2)
        #expect(a.parameters.map(\.bitPattern) == b.parameters.map(\.bitPattern))
        #expect(a.parameters != c.parameters)
        func std(_ v: [Float]) -> Double {
            let m = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
            return (v.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(v.count)).squareRoot()
        }
        // He normal: std sqrt(2 / 200) = 0.1 (60,000 samples: the estimate is within 1%).
        #expect(abs(std(a.weights(layer: 0)) - 0.1) < 0.002)
        // Glorot uniform output layer: limit sqrt(6 / 310), std = limit / sqrt(3).
        let glorot = (6.0 / 310).squareRoot()
        #expect(abs(std(a.weights(layer: 1)) - glorot / 3.0.squareRoot()) < 0.004)
        #expect(a.weights(layer: 1).allSatisfy { abs(Double($0)) <= glorot })
        let t = MLP(featureCount: 200, hidden: [300], activation: .tanh, classCount: 10).initialized(seed: 1)
        let hiddenLimit = (6.0 / 500).squareRoot()
        #expect(t.weights(layer: 0).allSatisfy { abs(Double($0)) <= hiddenLimit })
        #expect(abs(std(t.weights(layer: 0)) - hiddenLimit / 3.0.squareRoot()) < 0.002)
        #expect(a.bias(layer: 0).allSatisfy { $0 == 0 })
    }

    func options(batch: Int, epochs: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.batchSize = batch
        o.epochs = epochs
        o.learningRate = .constant
        o.eta0 = 0.05
        o.tol = nil
        o.seed = 3
        return o
    }

    /// Batches of 70 and 100 rows give 2 and 3 shards; the last batch of each epoch is short.
    @Test(arguments: [70, 100], [OptimizerKind.sgd, .adam])
    func weightsAreBitwiseIdenticalForAnyWorkerCount(batch: Int, optimizer: OptimizerKind) throws {
        let data = blobs(samples: 413, features: 11, classes: 4, seed: 8)
        var o = options(batch: batch, epochs: 3)
        o.optimizer = optimizer
        if optimizer == .sgd { o.momentum = 0.9 }
        let start = MLP(featureCount: 11, hidden: [16, 9], activation: .tanh, classCount: 4).initialized(seed: 5)
        let one = try Trainer(options: o, pool: WorkerPool(workers: 1)).train(start, on: data)
        for workers in [2, 3] {
            let run = try Trainer(options: o, pool: WorkerPool(workers: workers)).train(start, on: data)
            #expect(run.model.parameters.map(\.bitPattern) == one.model.parameters.map(\.bitPattern))
            #expect(run.epochs.map(\.loss) == one.epochs.map(\.loss))
        }
        #expect(one.model.parameters != start.parameters)
    }

    /// One Adam step on a network from hand-computed values: the first step moves every
    /// parameter with a non-zero gradient by eta * g / (|g| + epsilon') ~ eta sign(g).
    @Test func oneAdamStepOnANetworkFollowsTheFormula() throws {
        let data = blobs(samples: 24, features: 3, classes: 3, seed: 12)
        var o = options(batch: 24, epochs: 1)
        o.optimizer = .adam
        o.shuffle = false
        o.eta0 = 0.01
        o.alpha = 0.1
        let start = MLP(featureCount: 3, hidden: [5], activation: .relu, classCount: 3).initialized(seed: 6)
        var grad = [Float](repeating: 0, count: start.parameters.count)
        var scratch = [Float](repeating: 0, count: start.scratchLength(rows: 24))
        let rows = (0..<Int32(24)).map { $0 }
        _ = start.computeGradient(x: data.features, labels: data.labels, rows: rows, count: 24, grad: &grad, scratch: &scratch)
        let run = try Trainer(options: o, pool: WorkerPool(workers: 2)).train(start, on: data)
        for i in start.parameters.indices {
            let g = Double(grad[i]) / 24 + (i < start.weightCount ? 0.1 * Double(start.parameters[i]) : 0)
            // m = 0.1 g, v = 0.001 g^2; corrected: m / 0.1 = g, v / 0.001 = g^2.
            let expected = Double(start.parameters[i]) - 0.01 * g / ((g * g).squareRoot() + 1e-8)
            #expect(abs(Double(run.model.parameters[i]) - expected) < 1e-6, "parameter \(i)")
        }
    }

    /// Concentric rings: softmax regression stays near chance (1/3), the network separates them.
    @Test func ringsNeedTheHiddenLayer() throws {
        var spec = SyntheticSpec()
        spec.shape = .rings
        spec.samples = 1500
        spec.features = 2
        spec.classes = 3
        spec.noise = 0.15
        spec.seed = 7
        let table = SyntheticData.generate(spec)
        var data = table.encoded(classes: table.distinctLabels)
        Standardizer(fitting: data.features, featureCount: 2).transform(&data.features)
        let pool = try WorkerPool(workers: 2)
        var o = options(batch: 32, epochs: 60)
        o.optimizer = .adam
        o.eta0 = 0.01
        let linear = try Trainer(options: o, pool: pool)
            .train(LinearModel(kind: .softmax, featureCount: 2, classCount: 3), on: data)
        let net = try Trainer(options: o, pool: pool)
            .train(MLP(featureCount: 2, hidden: [32, 32], activation: .tanh, classCount: 3).initialized(seed: 0), on: data)
        let linearAccuracy = Evaluation(model: linear.model, data: data, pool: pool).accuracy
        let netAccuracy = Evaluation(model: net.model, data: data, pool: pool).accuracy
        #expect(linearAccuracy < 0.45, "softmax regression reached \(linearAccuracy)")
        #expect(netAccuracy >= 0.95, "the network reached \(netAccuracy)")
    }

    @Test func xorNeedsTheHiddenLayer() throws {
        var spec = SyntheticSpec()
        spec.shape = .xor
        spec.samples = 1000
        spec.features = 2
        spec.classes = 2
        spec.noise = 0.05
        spec.seed = 3
        let table = SyntheticData.generate(spec)
        let data = table.encoded(classes: table.distinctLabels)
        let pool = try WorkerPool(workers: 2)
        var o = options(batch: 16, epochs: 60)
        o.optimizer = .adam
        o.eta0 = 0.01
        let linear = try Trainer(options: o, pool: pool).train(LinearModel(kind: .logistic, featureCount: 2, classCount: 2), on: data)
        let net = try Trainer(options: o, pool: pool)
            .train(MLP(featureCount: 2, hidden: [16], activation: .relu, classCount: 2).initialized(seed: 1), on: data)
        #expect(Evaluation(model: linear.model, data: data, pool: pool).accuracy < 0.65)
        #expect(Evaluation(model: net.model, data: data, pool: pool).accuracy >= 0.95)
    }

    /// The shipped digits-mlp config reaches test accuracy >= 0.97, and its model file
    /// round-trips bit for bit and scores the same.
    @Test func digitsConfigReachesTheTargetAccuracy() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        var config = try Config.load(path: Repo.path("configs/digits-mlp.json"))
        config.outputDir = dir.path
        let summary = try TrainingJob.run(config)
        #expect(try #require(summary.testAccuracy) >= 0.97)
        let saved = try SavedModel.read(path: summary.modelPath)
        let net = try #require(saved.model.network)
        #expect(net.hidden == [128] && net.activation == .relu && net.layers.map(\.outputs) == [128, 10])
        let again = try SavedModel.decode(try JSONParser.parse(Array(saved.jsonValue.prettyText().utf8)), file: "again")
        #expect(again.model.parameters.map(\.bitPattern) == saved.model.parameters.map(\.bitPattern))
    }
}
