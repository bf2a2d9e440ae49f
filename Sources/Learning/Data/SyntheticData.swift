import Foundation

/// A data set made in memory (see ``SyntheticShape``). Row i belongs to class i mod K;
/// everything comes from `spec.seed`.
public enum SyntheticData {
    public static func generate(_ spec: SyntheticSpec) -> LabeledTable {
        switch spec.shape {
        case .blobs: blobs(spec)
        case .rings, .xor: plane(spec)
        }
    }

    /// Rings and XOR: the class lives in the first two features, the others are N(0, 1) noise.
    /// - rings: class k is the circle of radius k + 1 at a uniform angle, plus noise * N(0, I).
    /// - xor: (u, v) uniform on [-1, 1]^2 minus a margin of 0.1 around the axes, class 1 when
    ///   u v > 0; then noise * N(0, I) is added.
    static func plane(_ spec: SyntheticSpec) -> LabeledTable {
        var rng = SplitMix64(seed: spec.seed)
        let d = spec.features, k = spec.classes
        var features = zerosOnHugePages(count: spec.samples * d)
        var labels = [String]()
        labels.reserveCapacity(spec.samples)
        for r in 0..<spec.samples {
            var c = r % k
            var u: Double, v: Double
            if spec.shape == .rings {
                let angle = 2 * Double.pi * rng.nextUnit(), radius = Double(c + 1)
                (u, v) = (radius * cos(angle), radius * sin(angle))
            } else {
                func coordinate() -> Double {
                    let m = 0.1 + 0.9 * rng.nextUnit()
                    return rng.nextUnit() < 0.5 ? -m : m
                }
                (u, v) = (coordinate(), coordinate())
                c = u * v > 0 ? 1 : 0
            }
            let (a, b) = rng.nextGaussianPair()
            features[r * d] = Float(u + spec.noise * a)
            features[r * d + 1] = Float(v + spec.noise * b)
            for j in 2..<max(d, 2) { features[r * d + j] = Float(rng.nextGaussian()) }
            labels.append(String(c))
        }
        return LabeledTable(features: features, labels: labels, featureNames: (0..<d).map { "x\($0)" }, file: "<synthetic>")
    }

    /// Each class k has a centre c_k with N(0, 1) coordinates; a row of class k is
    /// c_k + noise * N(0, I).
    static func blobs(_ spec: SyntheticSpec) -> LabeledTable {
        var rng = SplitMix64(seed: spec.seed)
        let d = spec.features, k = spec.classes
        var centres = [Double](repeating: 0, count: k * d)
        for i in centres.indices { centres[i] = rng.nextGaussian() }
        var features = zerosOnHugePages(count: spec.samples * d)
        var labels = [String]()
        labels.reserveCapacity(spec.samples)
        var next = 0
        for r in 0..<spec.samples {
            let c = r % k
            // Normal samples come in Box-Muller pairs; each row uses them in order.
            var j = 0
            while j < d {
                let (a, b) = rng.nextGaussianPair()
                features[next] = Float(centres[c * d + j] + spec.noise * a)
                if j + 1 < d { features[next + 1] = Float(centres[c * d + j + 1] + spec.noise * b) }
                next += min(2, d - j)
                j += 2
            }
            labels.append(String(c))
        }
        return LabeledTable(features: features, labels: labels, featureNames: (0..<d).map { "x\($0)" }, file: "<synthetic>")
    }
}
