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

extension Standardizer {
    /// The first (row, column) of standardised rows (`features`, d columns) that is not
    /// finite: a value so far from the training mean, relative to the training scale, that
    /// (x - mean) / scale is beyond float32. No model can score such a row.
    public func firstNonFinite(in features: [Float]) -> (row: Int, column: Int)? {
        let d = mean.count
        guard d > 0, let i = features.firstIndex(where: { !$0.isFinite }) else { return nil }
        return (i / d, i % d)
    }

    /// The message for such a value of `column`.
    func beyondFloat32(column: String, at j: Int) -> String {
        "the value of column '\(column)' standardised with the training mean \(mean[j]) and scale \(scale[j]) is beyond "
            + "float32; values this far from the training data cannot be scored"
    }
}
