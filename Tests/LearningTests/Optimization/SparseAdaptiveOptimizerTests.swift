import DataParallel
import Foundation
import Testing
@testable import Learning

/// AdaGrad and FTRL-Proximal on sparse rows against a naive dense reference written here from
/// the formulas (double precision, loops over every weight, a weight updated when its feature
/// occurs in the batch): two steps of two rows each, no shuffling.
@Suite struct SparseAdaptiveOptimizerTests {
    /// Four rows over 5 features: feature 4 only in the second batch, feature 2 in neither
    /// (so it must keep weight and state 0).
    static let rows: [[(Int, Float)]] = [[(0, 1), (1, 2)], [(1, -1), (3, 0.5)], [(0, 0.5), (4, 3)], [(3, 1), (4, -2)]]

    func data(classes k: Int, labels: [Int32]) -> SparseDataset {
        var offsets = [0], columns: [Int32] = [], values: [Float] = []
        for row in Self.rows {
            for (j, x) in row {
                columns.append(Int32(j))
                values.append(x)
            }
            offsets.append(values.count)
        }
        return SparseDataset(rowOffsets: offsets, columns: columns, values: values, labels: labels,
                             classes: (0..<k).map { "c\($0)" }, featureCount: 5)
    }

    /// The reference: W (O, d) and b, with the batch-mean gradient of the cross-entropy and each
    /// rule's update (`update(i, g, w)` returns the new weight; `isBias` leaves out the penalty).
    struct Reference {
        let o: Int, d = 5
        var w: [Double], b: [Double]
        init(o: Int) {
            self.o = o
            w = [Double](repeating: 0, count: o * 5)
            b = [Double](repeating: 0, count: o)
        }

        /// The summed-over-rows gradient of the rows' cross-entropy with respect to z, per row.
        func dz(_ row: [(Int, Float)], label: Int) -> [Double] {
            var z = b
            for (j, x) in row { for k in 0..<o { z[k] += w[k * d + j] * Double(x) } }
            if o == 1 { return [1 / (1 + exp(-z[0])) - Double(label)] }
            let m = z.max()!, e = z.map { exp($0 - m) }, s = e.reduce(0, +)
            return (0..<o).map { e[$0] / s - ($0 == label ? 1 : 0) }
        }

        /// One step on `batch`; `update(index, g, w, isBias)` is the rule.
        mutating func step(_ batch: [([(Int, Float)], Int)], _ update: (Int, Double, Double, Bool) -> Double) {
            var g = [Double](repeating: 0, count: o * d), gb = [Double](repeating: 0, count: o)
            var touched = Set<Int>()
            for (row, label) in batch {
                let dz = dz(row, label: label)
                for (j, x) in row {
                    touched.insert(j)
                    for k in 0..<o { g[k * d + j] += dz[k] * Double(x) }
                }
                for k in 0..<o { gb[k] += dz[k] }
            }
            let n = Double(batch.count)
            for j in touched.sorted() { for k in 0..<o { w[k * d + j] = update(k * d + j, g[k * d + j] / n, w[k * d + j], false) } }
            for k in 0..<o { b[k] = update(o * d + k, gb[k] / n, b[k], true) }
        }
    }

    func train(_ optimizer: OptimizerKind, classes k: Int, labels: [Int32], penalty: Penalty, alpha: Double)
        throws -> TrainingRun<LinearModel>
    {
        var o = TrainingOptions()
        o.optimizer = optimizer
        o.batchSize = 2
        o.epochs = 1
        o.shuffle = false
        o.tol = nil
        o.learningRate = .constant
        o.eta0 = 0.5
        o.penalty = penalty
        o.alpha = alpha
        o.l1Ratio = 0.5
        o.epsilon = 1e-3
        o.ftrlBeta = 0.7
        let d = data(classes: k, labels: labels)
        let kind: LinearModelKind = k == 2 ? .logistic : .softmax
        return try SparseTrainer(options: o, pool: WorkerPool(workers: 2))
            .train(LinearModel(kind: kind, featureCount: 5, classCount: k), on: d)
    }

    static let cases: [(Int, [Int32], Penalty, Double)] = [
        (3, [0, 2, 1, 2], .l2, 0.1), (3, [1, 0, 2, 2], .elasticnet, 0.3), (2, [1, 0, 0, 1], .l1, 0.05),
        (2, [0, 1, 1, 0], .none, 0),
    ]

    /// W and b after two AdaGrad steps, and the squared-gradient sums (feature-major, then the
    /// biases'), to 1e-5: l2 joins the gradient, l1 a soft threshold at the coordinate's rate.
    @Test(arguments: cases)
    func adaGradTwoStepsMatchTheFormulas(k: Int, labels: [Int32], penalty: Penalty, alpha: Double) throws {
        let run = try train(.adagrad, classes: k, labels: labels, penalty: penalty, alpha: alpha)
        let o = k == 2 ? 1 : k, eta = 0.5, eps = 1e-3
        let l2 = alpha * penalty.l2Share(l1Ratio: 0.5), l1 = alpha * penalty.l1Share(l1Ratio: 0.5)
        var ref = Reference(o: o)
        var squares = [Double](repeating: 0, count: o * 5 + o)
        let update: (Int, Double, Double, Bool) -> Double = { i, g0, w, isBias in
            let g = isBias ? g0 : g0 + l2 * w
            squares[i] += g * g
            let rate = eta / (squares[i].squareRoot() + eps)
            let x = w - rate * g
            if isBias || l1 == 0 { return x }
            return x > 0 ? max(0, x - rate * l1) : min(0, x + rate * l1)
        }
        for first in [0, 2] {
            ref.step([(Self.rows[first], Int(labels[first])), (Self.rows[first + 1], Int(labels[first + 1]))], update)
        }
        #expect(ref.w.contains { abs($0) > 0.05 }, "the weights moved")
        expectClose(run.model.weights, ref.w, "weights")
        expectClose(run.model.bias, ref.b, "bias")
        // The state, feature-major in the checkpoint: G2[j * O + k], then the biases'.
        let state = run.state.optimizerBuffers
        #expect(state.count == 5 * o + o)
        var expected = [Double](repeating: 0, count: 5 * o + o)
        for j in 0..<5 { for k in 0..<o { expected[j * o + k] = squares[k * 5 + j] } }
        for k in 0..<o { expected[5 * o + k] = squares[o * 5 + k] }
        expectClose(state, expected, "G2")
        #expect((0..<o).allSatisfy { run.model.weights[$0 * 5 + 2] == 0 && state[2 * o + $0] == 0 }, "feature 2 untouched")
        #expect(run.steps == 2)
    }

    /// W and b after two FTRL-Proximal steps, and z and n, to 1e-5 (alpha = eta0, beta = ftrl_beta).
    @Test(arguments: cases)
    func ftrlTwoStepsMatchTheFormulas(k: Int, labels: [Int32], penalty: Penalty, alpha: Double) throws {
        let run = try train(.ftrl, classes: k, labels: labels, penalty: penalty, alpha: alpha)
        let o = k == 2 ? 1 : k, a = 0.5, beta = 0.7
        let l2 = alpha * penalty.l2Share(l1Ratio: 0.5), l1 = alpha * penalty.l1Share(l1Ratio: 0.5)
        var ref = Reference(o: o)
        var z = [Double](repeating: 0, count: o * 5 + o), n = z
        let update: (Int, Double, Double, Bool) -> Double = { i, g, w, isBias in
            let sigma = ((n[i] + g * g).squareRoot() - n[i].squareRoot()) / a
            z[i] += g - sigma * w
            n[i] += g * g
            let (r1, r2) = isBias ? (0.0, 0.0) : (l1, l2)
            if abs(z[i]) <= r1 { return 0 }
            return -(z[i] - (z[i] > 0 ? r1 : -r1)) / ((beta + n[i].squareRoot()) / a + r2)
        }
        for first in [0, 2] {
            ref.step([(Self.rows[first], Int(labels[first])), (Self.rows[first + 1], Int(labels[first + 1]))], update)
        }
        #expect(ref.w.contains { abs($0) > 0.05 }, "the weights moved")
        expectClose(run.model.weights, ref.w, "weights")
        expectClose(run.model.bias, ref.b, "bias")
        let state = run.state.optimizerBuffers, all = 5 * o + o
        #expect(state.count == 2 * all)
        var expected = [Double](repeating: 0, count: 2 * all)
        for (part, values) in [z, n].enumerated() {
            for j in 0..<5 { for k in 0..<o { expected[part * all + j * o + k] = values[k * 5 + j] } }
            for k in 0..<o { expected[part * all + 5 * o + k] = values[o * 5 + k] }
        }
        expectClose(state, expected, "z and n")
        if penalty == .l1 { #expect(run.model.weights.contains(0) && ref.w.contains(0)) }
    }

    /// Each value to 1e-5 (relative above 1).
    func expectClose(_ got: [Float], _ want: [Double], _ what: String) {
        #expect(got.count == want.count, "\(what) count")
        for (i, (g, w)) in zip(got, want).enumerated() {
            #expect(abs(Double(g) - w) <= 1e-5 * max(1, abs(w)), "\(what)[\(i)]: \(g) vs \(w)")
        }
    }
}
