import DataParallel

// The CSR path of the linear models: forward pass, gradient and step on sparse rows, in time
// proportional to the stored entries times the outputs, never to the feature count d.
//
// Weights are kept feature-major for this path: V (d, O), V[j * O + k], so that a row's
// entry x_j reads and updates the O contiguous weights of feature j. The true weights are
// W = scale * V (scikit-learn's trick for l2 on sparse data: the decay multiplies `scale`, one
// number, instead of every weight).

/// A linear model's parameters laid out for sparse rows: W[k, j] = scale * v[j * O + k], b.
struct SparseLinearWeights: Sendable, Equatable {
    let kind: LinearModelKind
    let featureCount: Int
    let classCount: Int
    /// (featureCount, outputCount), feature-major.
    var v: [Float]
    var bias: [Float]
    /// The factor of every weight (not of the bias).
    var scale: Double

    var outputCount: Int { kind.outputCount(classes: classCount) }

    /// The model's weights, with scale 1.
    init(_ model: LinearModel) {
        self.init(kind: model.kind, featureCount: model.featureCount, classCount: model.classCount,
                  parameters: model.parameters, scale: 1)
    }

    /// Weights from a ``LinearModel``'s flat parameter layout ([W (O, stride) | b]) whose W
    /// holds V, with W = scale * V (a checkpoint's parameters and weight scale).
    init(kind: LinearModelKind, featureCount d: Int, classCount: Int, parameters: [Float], scale: Double) {
        self.kind = kind
        featureCount = d
        self.classCount = classCount
        self.scale = scale
        let o = kind.outputCount(classes: classCount), s = LinearModel.stride(d)
        precondition(parameters.count == o * (s + 1))
        v = Self.featureMajor(parameters, outputs: o, features: d, stride: s)
        bias = Array(parameters[(o * s)...])
    }

    /// A dense-layout weight block (O, stride) as feature-major (d, O).
    static func featureMajor(_ w: [Float], outputs o: Int, features d: Int, stride s: Int) -> [Float] {
        var out = [Float](repeating: 0, count: d * o)
        for k in 0..<o {
            for j in 0..<d { out[j * o + k] = w[k * s + j] }
        }
        return out
    }

    /// A feature-major block (d, O) in the dense layout (O, stride), padding 0.
    static func classMajor(_ v: [Float], outputs o: Int, features d: Int) -> [Float] {
        let s = LinearModel.stride(d)
        var out = [Float](repeating: 0, count: o * s)
        for k in 0..<o {
            for j in 0..<d { out[k * s + j] = v[j * o + k] }
        }
        return out
    }

    /// V and b in a ``LinearModel``'s parameter layout, without the scale (for a checkpoint).
    var unscaledParameters: [Float] {
        Self.classMajor(v, outputs: outputCount, features: featureCount) + bias
    }

    /// The model with W = scale * V, each weight rounded once to float32.
    var linearModel: LinearModel {
        let o = outputCount, d = featureCount
        var w = [Float](repeating: 0, count: o * d)
        for j in 0..<d {
            for k in 0..<o { w[k * d + j] = Float(scale * Double(v[j * o + k])) }
        }
        return LinearModel(kind: kind, featureCount: d, classCount: classCount, weights: w, bias: bias)
    }

    /// Multiplies the scale into V and sets it to 1: O(d O), for when the scale gets small.
    mutating func fold() {
        let s = scale
        v.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = Float(s * Double(p[i])) }
        }
        scale = 1
    }

    /// True when every weight, the scale and every bias are finite.
    var isFinite: Bool { scale.isFinite && v.allSatisfy(\.isFinite) && bias.allSatisfy(\.isFinite) }

    /// The fraction of the weights that are exactly 0.
    var zeroWeightFraction: Double {
        if scale == 0 { return 1 }
        return Double(v.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }) / Double(max(v.count, 1))
    }

    /// R(W) of `penalty` over the true weights, each rounded to float32 as in ``linearModel``.
    func penaltyValue(_ penalty: Penalty, l1Ratio: Double) -> Double {
        let s = scale
        return penalty.value(v.lazy.map { Float(s * Double($0)) }, l1Ratio: l1Ratio)
    }
}
