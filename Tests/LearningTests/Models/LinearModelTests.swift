import Foundation
import Testing
@testable import Learning

@Suite struct LinearModelTests {
    /// The mean gradient of the objective from the kernels, (1/n) sum (p - y) x^T + alpha dR/dW,
    /// unpadded: [dW (O, d) | db (O)].
    func analyticGradient(_ model: LinearModel, _ data: Dataset, alpha: Float, penalty: Penalty) -> [Double] {
        var grad = [Float](repeating: 0, count: model.parameters.count)
        var scratch = [Float](repeating: .nan, count: model.scratchLength(rows: data.count))
        let rows = (0..<Int32(data.count)).map { $0 }
        _ = model.computeGradient(x: data.features, labels: data.labels, rows: rows, count: data.count,
                                     grad: &grad, scratch: &scratch)
        // The padding columns of the gradient must stay exactly zero.
        let s = model.stride, d = model.featureCount
        for k in 0..<model.outputCount { for j in d..<s { precondition(grad[k * s + j] == 0) } }
        let g = (0..<model.outputCount).flatMap { k in grad[(k * s)..<(k * s + d)] } + grad[model.weightCount...]
        let p = model.weights + model.bias
        return g.enumerated().map { i, g in
            let reg = i < model.outputCount * d ? Double(alpha * Float(penalty.l2Share(l1Ratio: 0)) * p[i]) : 0
            return Double(g) / Double(data.count) + reg
        }
    }

    /// 4 features take the gathered, zero-padded path; 16 (a multiple of 8) the direct path.
    @Test(arguments: [
        (LinearModelKind.softmax, 3, Penalty.none, 4), (.softmax, 3, .l2, 4), (.softmax, 5, .l2, 4),
        (.logistic, 2, Penalty.none, 4), (.logistic, 2, .l2, 4), (.softmax, 7, .l2, 16), (.logistic, 2, .l2, 16),
    ])
    func gradientMatchesFiniteDifferences(kind: LinearModelKind, classes: Int, penalty: Penalty, features: Int) {
        let data = blobs(samples: 40, features: features, classes: classes, seed: 7)
        let o = kind == .softmax ? classes : 1
        var rng = SplitMix64(seed: 3)
        let model = LinearModel(kind: kind, featureCount: features, classCount: classes,
                                weights: (0..<(o * features)).map { _ in Float(rng.nextGaussian() * 0.5) },
                                bias: (0..<o).map { _ in Float(rng.nextGaussian() * 0.5) })
        let alpha = 0.3
        let analytic = analyticGradient(model, data, alpha: Float(alpha), penalty: penalty)
        let numeric = Reference.numericGradient((model.weights + model.bias).map(Double.init)) { p in
            Reference.objective(p, kind: kind, x: data.features, labels: data.labels, d: features, k: classes,
                                alpha: alpha, penalty: penalty)
        }
        for (a, n) in zip(analytic, numeric) {
            #expect(abs(a - n) <= 1e-4 + 1e-3 * abs(n), "analytic \(a) vs numeric \(n)")
        }
        // The check has teeth: a gradient missing the penalty, or with the sign of (p - y) flipped, fails it.
        if penalty == .l2 {
            let unpenalised = analyticGradient(model, data, alpha: 0, penalty: penalty)
            #expect(zip(unpenalised, numeric).contains { abs($0 - $1) > 1e-2 })
        }
    }

    @Test func logisticEqualsSoftmaxWithTheNegativeLogitFixedAtZero() {
        let data = blobs(samples: 30, features: 3, classes: 2, seed: 11)
        let logistic = LinearModel(kind: .logistic, featureCount: 3, classCount: 2, weights: [0.4, -1.2, 0.7], bias: [0.25])
        // Softmax with row 0 (the negative class) fixed at zero and row 1 = w.
        let softmax = LinearModel(kind: .softmax, featureCount: 3, classCount: 2,
                                  weights: [0, 0, 0, 0.4, -1.2, 0.7], bias: [0, 0.25])

        let pool = try! DataParallelPool.make(1)
        let ls = logistic.score(data, pool: pool), ss = softmax.score(data, pool: pool)
        for i in 0..<(2 * data.count) { #expect(abs(ls.probabilities[i] - ss.probabilities[i]) < 1e-6) }
        for i in 0..<data.count { #expect(abs(ls.losses[i] - ss.losses[i]) < 1e-5) }
        #expect(ls.predicted == ss.predicted)

        let gl = analyticGradient(logistic, data, alpha: 0, penalty: .none)
        let gs = analyticGradient(softmax, data, alpha: 0, penalty: .none)
        // The logistic gradient is the positive row of the softmax gradient (and its bias).
        for j in 0..<3 { #expect(abs(gl[j] - gs[3 + j]) < 1e-6) }
        #expect(abs(gl[3] - gs[7]) < 1e-6)
        // The negative row's gradient is the opposite of the positive row's: the rows of p - y sum to 0.
        for j in 0..<3 { #expect(abs(gs[j] + gs[3 + j]) < 1e-6) }
    }
}

import DataParallel

enum DataParallelPool {
    static func make(_ workers: Int) throws -> WorkerPool { try WorkerPool(workers: workers) }
}
