extension Penalty {
    /// R(W) summed over the weights (biases are never penalised).
    /// l2: R = 0.5 * sum w^2; none: 0.
    public func value(_ weights: some Collection<Float>) -> Double {
        switch self {
        case .none: return 0
        case .l2: return 0.5 * weights.reduce(0.0) { $0 + Double($1) * Double($1) }
        }
    }

    /// The factor c in dR/dW = c * W: 1 for l2, 0 for none.
    var l2Factor: Float {
        switch self {
        case .none: return 0
        case .l2: return 1
        }
    }
}
