/// Feature standardisation by z-scores: x' = (x - mean) / scale.
///
/// `mean` and `scale` (the population standard deviation, as scikit-learn's StandardScaler)
/// are computed on the training split only, stored in the model and applied at predict time.
/// A constant feature gets scale 1, so it maps to 0 instead of dividing by zero.
public struct Standardizer: Sendable, Equatable {
    public var mean: [Float]
    public var scale: [Float]

    public init(mean: [Float], scale: [Float]) {
        precondition(mean.count == scale.count)
        self.mean = mean
        self.scale = scale
    }

    /// Fits mean and scale to the rows of a (count, featureCount) matrix, in float64.
    public init(fitting features: [Float], featureCount d: Int) {
        let n = features.count / max(d, 1)
        var sum = [Double](repeating: 0, count: d)
        for r in 0..<n { for j in 0..<d { sum[j] += Double(features[r * d + j]) } }
        let m = sum.map { $0 / Double(max(n, 1)) }
        var sq = [Double](repeating: 0, count: d)
        for r in 0..<n {
            for j in 0..<d {
                let c = Double(features[r * d + j]) - m[j]
                sq[j] += c * c
            }
        }
        mean = m.map { Float($0) }
        scale = sq.map { s in
            let sd = (s / Double(max(n, 1))).squareRoot()
            // Constant (or numerically constant) features keep their values' spread at 1.
            return sd > 1e-12 ? Float(sd) : 1
        }
    }

    /// Applies x' = (x - mean) / scale to every row, in place.
    public func transform(_ features: inout [Float]) {
        let d = mean.count
        if d == 0 { return }
        features.withUnsafeMutableBufferPointer { x in
            for r in 0..<(x.count / d) {
                for j in 0..<d { x[r * d + j] = (x[r * d + j] - mean[j]) / scale[j] }
            }
        }
    }
}
