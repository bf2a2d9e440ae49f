extension Penalty {
    /// The share of alpha that is an l2 term: 1 for l2, 1 - l1_ratio for elasticnet, else 0.
    func l2Share(l1Ratio: Double) -> Double {
        switch self {
        case .l2: 1
        case .elasticnet: 1 - l1Ratio
        case .l1, .none: 0
        }
    }

    /// The share of alpha that is an l1 term: 1 for l1, l1_ratio for elasticnet, else 0.
    func l1Share(l1Ratio: Double) -> Double {
        switch self {
        case .l1: 1
        case .elasticnet: l1Ratio
        case .l2, .none: 0
        }
    }

    /// R(W) summed over the weights (biases are never penalised), as scikit-learn defines it:
    /// l2: 0.5 ||W||^2; l1: ||W||_1; elasticnet: (1 - r) 0.5 ||W||^2 + r ||W||_1 with
    /// r = l1_ratio; none: 0.
    public func value(_ weights: some Collection<Float>, l1Ratio: Double = 0.15) -> Double {
        let l2 = l2Share(l1Ratio: l1Ratio), l1 = l1Share(l1Ratio: l1Ratio)
        var squares = 0.0, magnitudes = 0.0
        for w in weights {
            squares += Double(w) * Double(w)
            magnitudes += Double(abs(w))
        }
        return l2 * 0.5 * squares + l1 * magnitudes
    }
}
