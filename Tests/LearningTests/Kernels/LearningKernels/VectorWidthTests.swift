import Foundation
import Testing
@testable import Learning
@testable import LearningKernels

/// The elementwise kernels at both vector widths, whatever the build's own: each lane does the
/// scalar rule's arithmetic, so both widths give the scalar loop's bits exactly.
@Suite struct VectorWidthTests {
    /// A parameter vector with its weights/biases split inside a vector and a scalar tail.
    let count = 61, weightCount = 43

    func random(_ n: Int, seed: UInt64, scale: Double = 1) -> [Float] {
        var g = SplitMix64(seed: seed)
        return (0..<n).map { _ in Float(g.nextGaussian() * scale) }
    }

    @Test(arguments: LaneWidth.allCases, [false, true])
    func momentumStepIsTheScalarRuleAtEitherWidth(lanes: LaneWidth, nesterov: Bool) {
        let w0 = random(count, seed: 1), grad = random(count, seed: 2), v0 = random(count, seed: 3, scale: 0.1)
        let eta: Float = 0.05, decay: Float = 1e-3, mu: Float = 0.9, b = 32
        var w = w0, v = v0
        // The whole range in two calls, as the combiner hands it over block by block.
        for part in [0..<29, 29..<count] {
            momentumStep(parameters: &w, gradient: grad, velocity: &v, range: part, weightCount: weightCount, eta: eta,
                         batchSize: b, decay: decay, momentum: mu, nesterov: nesterov, lanes: lanes)
        }
        for i in 0..<count {
            let g = grad[i] * (1 / Float(b)) + (i < weightCount ? decay * w0[i] : 0)
            let vi = mu * v0[i] + g
            let wi = w0[i] - eta * (nesterov ? g + mu * vi : vi)
            #expect(v[i] == vi && w[i] == wi, "element \(i)")
        }
    }

    @Test(arguments: LaneWidth.allCases)
    func adamStepIsTheScalarRuleAtEitherWidth(lanes: LaneWidth) {
        let w0 = random(count, seed: 4), grad = random(count, seed: 5)
        let m0 = random(count, seed: 6, scale: 0.1), v0 = random(count, seed: 7, scale: 0.1).map { $0 * $0 }
        let (eta, decay, b1, b2, eps): (Float, Float, Float, Float, Float) = (1e-3, 1e-4, 0.9, 0.999, 1e-8)
        let c1 = 1 - b1 * b1 * b1, c2 = 1 - b2 * b2 * b2
        var w = w0, m = m0, v = v0
        adamStep(parameters: &w, gradient: grad, m: &m, v: &v, range: 0..<count, weightCount: weightCount, eta: eta, batchSize: 16,
                 decay: decay, beta1: b1, beta2: b2, epsilon: eps, correction1: c1, correction2: c2, lanes: lanes)
        for i in 0..<count {
            let g = grad[i] * (1 / Float(16)) + (i < weightCount ? decay * w0[i] : 0)
            let mi = b1 * m0[i] + (1 - b1) * g
            let vi = b2 * v0[i] + (1 - b2) * g * g
            let wi = w0[i] - eta * (mi / c1) / ((vi / c2).squareRoot() + eps)
            #expect(m[i] == mi && v[i] == vi && w[i] == wi, "element \(i)")
        }
    }

    /// Activations on a (3, 32) block whose first 21 columns are units: the same values at both
    /// widths, padding columns zeroed, and the derivatives from the outputs.
    @Test(arguments: [ActivationFunction.relu, .tanh, .sigmoid])
    func activationsAgreeAcrossWidths(function f: ActivationFunction) {
        let rows = 3, width = 21, ld = 32
        let z = random(rows * ld, seed: 8, scale: 3)
        let upstream = random(rows * ld, seed: 9).enumerated().map { $0.offset % ld < width ? $0.element : 0 }
        var results: [[Float]] = []
        var derivatives: [[Float]] = []
        for lanes in LaneWidth.allCases {
            var a = z
            activationForward(&a, rows: rows, width: width, ld: ld, function: f, lanes: lanes)
            results.append(a)
            var dz = a
            activationBackward(da: upstream, a: &dz, rows: rows, ld: ld, function: f, lanes: lanes)
            derivatives.append(dz)
        }
        #expect(results[0] == results[1] && derivatives[0] == derivatives[1])
        for i in 0..<rows {
            for j in 0..<ld {
                let a = results[0][i * ld + j], zi = Double(z[i * ld + j])
                if j >= width { #expect(a == 0); continue }
                let ref: Double
                switch f {
                case .relu: ref = max(zi, 0)
                case .tanh: ref = Foundation.tanh(zi)
                case .sigmoid: ref = 1 / (1 + Foundation.exp(-zi))
                }
                #expect(abs(Double(a) - ref) < 1e-6)
            }
        }
    }

    /// The peak loop's arithmetic: every lane runs a <- a m + c from the seed, so the sum is
    /// 12 x width times the scalar recurrence's value.
    @Test(arguments: LaneWidth.allCases)
    func fmaLoopComputesItsRecurrence(lanes: LaneWidth) {
        var a: Float = 0.5
        for _ in 0..<1000 { a = Float(1e-6).addingProduct(a, 0.999_999) }
        let total = fmaLoop(1000, seed: 0.5, lanes: lanes)
        #expect(abs(total - Float(12 * lanes.count) * a) <= 1e-5 * abs(total))
    }
}
