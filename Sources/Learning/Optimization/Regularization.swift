/// The penalty alpha R(W) of a run, one concept: the l2 part is a decay inside each step's
/// update (alpha dR/dW = decay * W), the l1 part a cumulative truncation after it
/// (``CumulativeL1``, or ``LazyL1`` on sparse rows), and R itself scores the objective
/// (training loss + alpha R) that the stopping rule and the summary report.
///
/// Shares of alpha: l2 1, l1 1, elasticnet 1 - l1_ratio (l2) and l1_ratio (l1), none 0.
/// Biases are never penalised.
struct Regularization: Sendable {
    let penalty: Penalty
    let alpha: Double
    let l1Ratio: Double

    init(_ options: TrainingOptions) {
        penalty = options.penalty
        alpha = options.alpha
        l1Ratio = options.l1Ratio
    }

    /// alpha times the l2 share: the decay of the weights in each step.
    var decay: Float { Float(alpha * penalty.l2Share(l1Ratio: l1Ratio)) }

    /// alpha times the l1 share: the strength of the l1 truncation (0 for none).
    var l1Strength: Double { alpha * penalty.l1Share(l1Ratio: l1Ratio) }

    /// True when the penalty has an l1 part, so weights can become exactly zero.
    var hasL1: Bool { l1Strength > 0 }

    /// alpha R(W) as the objective adds it, from R(W) (``Penalty/value(_:l1Ratio:)``).
    func objective(loss: Double, penaltyValue r: Double) -> Double { loss + alpha * r }

    /// The l1 truncation of `weightCount` weights, or nil without an l1 part.
    func cumulativeL1(weightCount: Int) -> CumulativeL1? {
        hasL1 ? CumulativeL1(strength: l1Strength, weightCount: weightCount) : nil
    }
}

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
