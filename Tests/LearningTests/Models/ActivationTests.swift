import Foundation
import Testing
@testable import Learning

@Suite struct ActivationTests {
    /// Z values across the interesting ranges: around 0, moderate, saturated, extreme.
    let z: [Float] = [-100, -20, -9.5, -3, -1, -0.4, -1e-3, -1e-6, 0, 1e-6, 1e-3, 0.4, 1, 3, 9.5, 20, 100, 0.75]

    func forward(_ a: Activation, _ values: [Float], ld: Int) -> [Float] {
        var buffer = values + [Float](repeating: .nan, count: ld - values.count)
        buffer.withUnsafeMutableBufferPointer { a.forward($0.baseAddress!, rows: 1, width: values.count, ld: ld) }
        return buffer
    }

    @Test(arguments: Activation.allCases)
    func forwardMatchesTheFormulaAndZeroesPadding(activation: Activation) {
        let out = forward(activation, z, ld: 24)
        for (i, v) in z.enumerated() {
            let x = Double(v)
            let expected: Double = switch activation {
            case .relu: max(x, 0)
            case .tanh: tanh(x)
            case .sigmoid: 1 / (1 + exp(-x))
            }
            #expect(abs(Double(out[i]) - expected) <= 1.5e-7, "f(\(v)) = \(out[i]), expected \(expected)")
        }
        #expect(out[z.count...].allSatisfy { $0 == 0 })
    }

    /// dZ = dA * f'(Z) against central differences of sum(G * f(Z)) in float64.
    @Test(arguments: Activation.allCases)
    func backwardMatchesFiniteDifferences(activation: Activation) {
        // Avoid z = 0 for relu, where f has a kink.
        let zs: [Float] = [-2.5, -1, -0.3, -0.05, 0.05, 0.3, 1, 2.5, 4, -4, 0.7, -0.7, 1.5, -1.5, 0.2, -0.2]
        var rng = SplitMix64(seed: 1)
        let g = zs.map { _ in Float(rng.nextGaussian()) }
        var a = forward(activation, zs, ld: 16)
        a.withUnsafeMutableBufferPointer { activation.backward(da: g, a: $0.baseAddress!, rows: 2, ld: 8) }
        func f(_ x: Double) -> Double {
            switch activation {
            case .relu: max(x, 0)
            case .tanh: tanh(x)
            case .sigmoid: 1 / (1 + exp(-x))
            }
        }
        for i in zs.indices {
            let h = 1e-5, x = Double(zs[i])
            let numeric = Double(g[i]) * (f(x + h) - f(x - h)) / (2 * h)
            #expect(abs(Double(a[i]) - numeric) <= 1e-6 + 1e-5 * abs(numeric), "z \(zs[i]): \(a[i]) vs \(numeric)")
        }
    }
}
