/// A data set made in memory: one Gaussian blob per class.
///
/// Each class k has a centre c_k with N(0, 1) coordinates; row i belongs to class i mod K
/// and is c_k + noise * N(0, I). Everything comes from `spec.seed`.
public enum SyntheticData {
    public static func generate(_ spec: SyntheticSpec) -> LabeledTable {
        var rng = SplitMix64(seed: spec.seed)
        let d = spec.features, k = spec.classes
        var centres = [Double](repeating: 0, count: k * d)
        for i in centres.indices { centres[i] = rng.nextGaussian() }
        var features = [Float](repeating: 0, count: spec.samples * d)
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
