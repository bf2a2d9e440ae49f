internal import LearningKernels

/// The l1 part of a penalty, applied by the cumulative truncated gradient of Tsuruoka,
/// Tsujii and Ananiadou (2009), as scikit-learn's SGDClassifier applies it, so that weights
/// become exactly zero.
///
/// u is the total l1 penalty every weight could have received so far, u = sum_t eta_t alpha_1
/// (alpha_1 = alpha for l1, alpha l1_ratio for elasticnet), and q_j the penalty weight j did
/// receive. After each step's update, each weight is pulled toward 0 by what it is owed,
/// without crossing 0:
///
///     w_j > 0:  w_j <- max(0, w_j - (u + q_j))
///     w_j < 0:  w_j <- min(0, w_j + (u - q_j))
///     q_j <- q_j + (w_j after - w_j before)
///
/// The rule is elementwise, so it runs chunk by chunk right after the optimizer's update and
/// keeps results identical for any worker count. Biases are not penalised.
final class CumulativeL1 {
    let ledger: L1Ledger

    init(strength: Double, weightCount: Int) { ledger = L1Ledger(strength: strength, weightCount: weightCount) }

    /// u and a copy of q (for a checkpoint).
    var total: Double { ledger.total }
    var received: [Float] { ledger.received.copy }

    func beginStep(eta: Double) { ledger.beginStep(eta: eta) }
    func restore(total: Double, received: [Float]) { ledger.restore(total: total, received: received) }

    /// Applies the truncation to the weights in `range` (elements at or past `weightCount`
    /// are biases and are left alone).
    func truncate(parameters: UnsafeMutablePointer<Float>, range: Range<Int>) {
        truncateL1(parameters: parameters, received: ledger.received.pointer, range: range, weightCount: ledger.weightCount,
                   total: ledger.totalForStep)
    }
}
