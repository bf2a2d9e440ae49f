import Foundation
import Testing
@testable import Learning

/// The worked numbers of the lecture notes (shared/seeds), through the kernels.
@Suite struct LinearKernelsTests {
    /// Softmax cross-entropy of logits z = log p (so softmax(z) = p) for one row.
    func softmaxLoss(_ p: [Float], label: Int) -> (loss: Double, dz: [Float]) {
        var z = p.map { logf($0) }
        let labels: [Int32] = [Int32(label)]
        let r = z.withUnsafeMutableBufferPointer { zb in
            softmaxCrossEntropyForwardBackward(z: zb.baseAddress!, labels: labels, count: 1, k: p.count)
        }
        return (r.loss, z)
    }

    @Test func softmaxLossOfTheWorkedExample() {
        // p = (0.05, 0.10, 0.15, 0.60, 0.10), correct class 4 (index 3): -log 0.60 = 0.5108.
        let p: [Float] = [0.05, 0.10, 0.15, 0.60, 0.10]
        #expect(abs(softmaxLoss(p, label: 3).loss - 0.5108) < 1e-4)
        // With p_correct = 0.05: -log 0.05 = 2.9957.
        #expect(abs(softmaxLoss(p, label: 0).loss - 2.9957) < 1e-4)
    }

    @Test(arguments: [(0.95, 0.0513), (0.50, 0.6931), (0.01, 4.6052)])
    func negativeLogOfCorrectProbability(p: Double, expected: Double) {
        let rest = Float((1 - p) / 2)
        #expect(abs(softmaxLoss([Float(p), rest, rest], label: 0).loss - expected) < 1e-4)
    }

    @Test func softmaxGradientIsPMinusY() {
        // p = (0.10, 0.20, 0.70), y = class 1 (index 0): dL/dz = (-0.90, 0.20, 0.70).
        let dz = softmaxLoss([0.10, 0.20, 0.70], label: 0).dz
        for (a, b) in zip(dz, [Float(-0.90), 0.20, 0.70]) { #expect(abs(a - b) < 1e-6) }
    }

    @Test(arguments: [(1, 0.9, 0.1054), (1, 0.1, 2.3026), (0, 0.1, 0.1054), (0, 0.9, 2.3026)])
    func binaryCrossEntropy(y: Int32, p: Double, expected: Double) {
        var z: [Float] = [Float(log(p / (1 - p)))]
        let r = z.withUnsafeMutableBufferPointer { zb in
            sigmoidCrossEntropyForwardBackward(z: zb.baseAddress!, labels: [y], count: 1)
        }
        #expect(abs(r.loss - expected) < 1e-4)
        #expect(abs(Double(z[0]) - (p - Double(y))) < 1e-6)  // dL/dz = p - y
    }

    @Test func softmaxIsStableForHugeLogits() {
        var z: [Float] = [1000, 0, -1000]
        let r = z.withUnsafeMutableBufferPointer { zb in
            softmaxCrossEntropyForwardBackward(z: zb.baseAddress!, labels: [1], count: 1, k: 3)
        }
        #expect(abs(r.loss - 1000) < 1e-3)
        #expect(z.allSatisfy { $0.isFinite })
        var s: [Float] = [-200]
        let b = s.withUnsafeMutableBufferPointer { sb in sigmoidCrossEntropyForwardBackward(z: sb.baseAddress!, labels: [1], count: 1) }
        #expect(abs(b.loss - 200) < 1e-3)
    }

    @Test func linearForwardAndBackwardMatchHandArithmetic() {
        // X rows (picked in order 1, 0): x1 = (1, 2), x0 = (3, -1); W = [[1, 0], [2, 1]], b = (0.5, -1).
        let x: [Float] = [3, -1, 1, 2]
        let rows: [Int32] = [1, 0]
        let w: [Float] = [1, 0, 2, 1], b: [Float] = [0.5, -1]
        var z = [Float](repeating: 0, count: 4)
        linearForward(z: &z, x: x, rows: rows, count: 2, w: w, b: b, d: 2, o: 2)
        // z(x1) = (1 + 0.5, 2 + 2 - 1) = (1.5, 3); z(x0) = (3.5, 6 - 1 - 1) = (3.5, 4).
        #expect(z == [1.5, 3, 3.5, 4])
        var dw: [Float] = [1, 1, 1, 1], db: [Float] = [0, 0]
        let dz: [Float] = [1, -1, 0.5, 2]
        linearBackward(dw: &dw, db: &db, dz: dz, x: x, rows: rows, count: 2, d: 2, o: 2)
        // dW = 1 + dz^T X_rows: row 0 = 1 + 1*(1,2) + 0.5*(3,-1) = (3.5, 2.5); row 1 = 1 - (1,2) + 2*(3,-1) = (6, -3).
        #expect(dw == [3.5, 2.5, 6, -3])
        #expect(db == [1.5, 1])
    }
}
