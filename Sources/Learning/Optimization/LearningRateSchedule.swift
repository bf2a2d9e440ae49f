import Foundation

/// The step size eta_t for step t = 1, 2, 3, ... (t counts mini-batch steps over the whole
/// run, not epochs and not samples). With batch_size 1 a step is a sample, as in
/// scikit-learn's SGDClassifier, and the formulas are its formulas:
///
/// - constant:   eta_t = eta0
/// - invscaling: eta_t = eta0 / t^power_t
/// - optimal:    eta_t = 1 / (alpha * (t0 + t - 1)), t0 = 1 / (alpha * alpha^(-1/4))
/// - adaptive:   eta_t = eta0 / 5^k, where k counts the times the training loss stalled for
///               n_iter_no_change epochs (the stopping rule counts the stalls, and asks
///               ``divisor(afterStallAt:)`` what follows: while the rate is above 1e-6 a
///               stall divides it by 5, one at 1e-6 or less ends training)
///
/// scikit-learn picks t0 for "optimal" by Bottou's heuristic: a typical weight
/// typw = sqrt(1 / sqrt(alpha)) and an initial rate typw / max(1, |loss'(-typw, 1)|), which
/// for the log loss is typw (the derivative is below 1), so t0 = 1 / (typw * alpha).
public struct LearningRateSchedule: Sendable, Equatable {
    public let kind: LearningRateKind
    public let eta0: Double
    public let powerT: Double
    public let alpha: Double

    public init(kind: LearningRateKind, eta0: Double, powerT: Double, alpha: Double) {
        self.kind = kind
        self.eta0 = eta0
        self.powerT = powerT
        self.alpha = alpha
    }

    public init(_ options: TrainingOptions) {
        self.init(kind: options.learningRate, eta0: options.eta0, powerT: options.powerT, alpha: options.alpha)
    }

    /// t0 of the "optimal" schedule.
    public var optimalT0: Double {
        let typw = (1.0 / alpha.squareRoot()).squareRoot()
        return 1.0 / (typw * alpha)
    }

    /// eta_t for step `t` >= 1.
    public func rate(step t: Int) -> Double {
        precondition(t >= 1)
        switch kind {
        case .constant, .adaptive: return eta0
        case .invscaling: return eta0 / pow(Double(t), powerT)
        case .optimal: return 1.0 / (alpha * (optimalT0 + Double(t) - 1))
        }
    }

    /// eta_t / divisor: the rate of step `t` once the "adaptive" schedule has divided it by
    /// `divisor` (5^k after k stalls; 1 for every other schedule).
    public func rate(step t: Int, divisor: Double) -> Double { rate(step: t) / divisor }

    /// What a stall of the training loss (n_iter_no_change epochs without improvement) does
    /// to a run at divisor `divisor`: the "adaptive" schedule divides the rate by 5 while it is
    /// above 1e-6 (the new divisor); any other schedule, or a rate at 1e-6 or less, ends
    /// training (nil). As scikit-learn's SGDClassifier.
    public func divisor(afterStallAt divisor: Double) -> Double? {
        guard kind == .adaptive, eta0 / divisor > 1e-6 else { return nil }
        return divisor * 5
    }
}
