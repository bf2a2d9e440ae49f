import Foundation
import Testing
@testable import Learning

/// Per-row weights in the kernels: a row of weight w contributes w (p - y) to the gradient and
/// w L to the loss sum, for every model type.
@Suite struct SampleWeightGradientTests {
    /// The models the checks run on: linear softmax and logistic on the gathered path (5
    /// features) and the direct path (16), and networks with a softmax and a sigmoid top.
    static func models(features: Int, classes: Int) -> [any TrainableModel] {
        var rng = SplitMix64(seed: 17)
        func linear(_ kind: LinearModelKind) -> LinearModel {
            let o = kind == .softmax ? classes : 1
            return LinearModel(kind: kind, featureCount: features, classCount: classes,
                               weights: (0..<(o * features)).map { _ in Float(rng.nextGaussian() * 0.4) },
                               bias: (0..<o).map { _ in Float(rng.nextGaussian() * 0.4) })
        }
        var out: [any TrainableModel] = [linear(.softmax)]
        if classes == 2 { out.append(linear(.logistic)) }
        out.append(MLP(featureCount: features, hidden: [6, 5], activation: .tanh, classCount: classes).initialized(seed: 4))
        return out
    }

    /// The kernel's gradient and loss sum for `rows` of `data`, with optional weights (one per entry of `rows`).
    static func gradient(_ model: some TrainableModel, _ data: Dataset, rows: [Int32], weights: [Float]?)
        -> (grad: [Float], loss: Double)
    {
        var grad = [Float](repeating: .nan, count: model.parameters.count)
        var scratch = [Float](repeating: .nan, count: model.scratchLength(rows: rows.count))
        let labels = rows.map { data.labels[Int($0)] }
        let stats: (loss: Double, correct: Int)
        if let weights {
            stats = model.computeGradient(x: data.features, labels: labels, rows: rows, count: rows.count,
                                          weights: weights, grad: &grad, scratch: &scratch)
        } else {
            stats = model.computeGradient(x: data.features, labels: labels, rows: rows, count: rows.count,
                                          weights: nil, grad: &grad, scratch: &scratch)
        }
        return (grad, stats.loss)
    }

    static func close(_ a: [Float], _ b: [Double], _ what: String) {
        #expect(a.count == b.count)
        let scale = b.map(abs).max() ?? 1
        for (x, y) in zip(a, b) {
            #expect(abs(Double(x) - y) <= 2e-5 * max(scale, 1), "\(what): \(x) vs \(y)")
        }
    }

    @Test(arguments: [(5, 3), (16, 4), (5, 2), (16, 2)])
    func weightedGradientIsTheWeightedSumOfRowGradients(features: Int, classes: Int) {
        let data = blobs(samples: 23, features: features, classes: classes, seed: 9)
        let rows = (0..<Int32(data.count)).map { $0 }
        // Fractional, zero and large weights.
        let weights: [Float] = (0..<data.count).map { i in [0.25, 1, 0, 3.5, 1.75, 0.1, 7][i % 7] }
        for model in Self.models(features: features, classes: classes) {
            let weighted = Self.gradient(model, data, rows: rows, weights: weights)
            // Reference: each row's own unweighted gradient, scaled and summed in float64.
            var expected = [Double](repeating: 0, count: model.parameters.count)
            var expectedLoss = 0.0
            for i in 0..<data.count {
                let one = Self.gradient(model, data, rows: [Int32(i)], weights: nil)
                for j in expected.indices { expected[j] += Double(weights[i]) * Double(one.grad[j]) }
                expectedLoss += Double(weights[i]) * one.loss
            }
            Self.close(weighted.grad, expected, "\(type(of: model)) d=\(features) K=\(classes)")
            #expect(abs(weighted.loss - expectedLoss) <= 1e-5 * max(expectedLoss, 1))
            // The check has teeth: the unweighted gradient of the same rows is far from it.
            let plain = Self.gradient(model, data, rows: rows, weights: nil)
            #expect(zip(plain.grad, expected).contains { abs(Double($0) - $1) > 1e-2 })
        }
    }

    @Test(arguments: [(5, 3), (16, 2)])
    func integerWeightIsTheRowRepeated(features: Int, classes: Int) {
        let data = blobs(samples: 19, features: features, classes: classes, seed: 12)
        let rows = (0..<Int32(data.count)).map { $0 }
        let weights: [Float] = (0..<data.count).map { i in Float([2, 1, 0, 3][i % 4]) }
        // Row i listed weights[i] times: the unweighted gradient of that batch.
        let repeated = rows.flatMap { r in [Int32](repeating: r, count: Int(weights[Int(r)])) }
        for model in Self.models(features: features, classes: classes) {
            let weighted = Self.gradient(model, data, rows: rows, weights: weights)
            let duplicated = Self.gradient(model, data, rows: repeated, weights: nil)
            Self.close(weighted.grad, duplicated.grad.map(Double.init), "\(type(of: model)) repeated rows")
            #expect(abs(weighted.loss - duplicated.loss) <= 1e-5 * max(duplicated.loss, 1))
        }
    }

    @Test(arguments: [3, 2])
    func weightsOfOneGiveTheUnweightedBits(classes: Int) {
        let data = blobs(samples: 37, features: 5, classes: classes, seed: 2)
        let rows = (0..<Int32(data.count)).map { $0 }
        for model in Self.models(features: 5, classes: classes) {
            let plain = Self.gradient(model, data, rows: rows, weights: nil)
            let ones = Self.gradient(model, data, rows: rows, weights: [Float](repeating: 1, count: data.count))
            #expect(plain.grad.map(\.bitPattern) == ones.grad.map(\.bitPattern))
            #expect(plain.loss == ones.loss)
        }
    }
}
