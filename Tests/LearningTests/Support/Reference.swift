import Foundation
@testable import Learning

/// An independent float64 implementation of the models' objective, written from the
/// formulas (not from the kernels), for finite-difference checks.
enum Reference {
    /// J = (1/n) sum_i loss_i + alpha * R(W) for flat parameters [W (O,d) | b (O)].
    static func objective(_ params: [Double], kind: LinearModelKind, x: [Float], labels: [Int32], d: Int, k: Int,
                          alpha: Double, penalty: Penalty) -> Double {
        let o = kind == .softmax ? k : 1
        let n = labels.count
        var total = 0.0
        for i in 0..<n {
            var z = [Double](repeating: 0, count: o)
            for c in 0..<o {
                var s = params[o * d + c]
                for j in 0..<d { s += params[c * d + j] * Double(x[i * d + j]) }
                z[c] = s
            }
            let y = Int(labels[i])
            if kind == .softmax {
                let m = z.max()!
                let lse = m + log(z.reduce(0) { $0 + exp($1 - m) })
                total += lse - z[y]
            } else {
                // -log sigmoid(z) for y = 1, -log(1 - sigmoid(z)) for y = 0.
                let p = 1 / (1 + exp(-z[0]))
                total += y == 1 ? -log(p) : -log(1 - p)
            }
        }
        let w = params[0..<(o * d)]
        let r = penalty == .l2 ? 0.5 * w.reduce(0) { $0 + $1 * $1 } : 0
        return total / Double(n) + alpha * r
    }

    /// Central differences of `objective` in every parameter.
    static func numericGradient(_ params: [Double], h: Double = 1e-5, _ f: ([Double]) -> Double) -> [Double] {
        (0..<params.count).map { i in
            var up = params, down = params
            up[i] += h
            down[i] -= h
            return (f(up) - f(down)) / (2 * h)
        }
    }
}

/// Paths of files in the repository.
enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// A fresh temporary folder, removed by `cleanup()`.
struct TempFolder {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("minibatch-test-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    func write(_ name: String, _ text: String) -> String {
        let p = file(name)
        try! text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// A small synthetic data set, encoded.
func blobs(samples: Int, features: Int, classes: Int, noise: Double = 1.0, seed: UInt64 = 1) -> Dataset {
    var spec = SyntheticSpec()
    spec.samples = samples
    spec.features = features
    spec.classes = classes
    spec.noise = noise
    spec.seed = seed
    let t = SyntheticData.generate(spec)
    return t.encoded(classes: t.distinctLabels)
}
