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
    /// alpha_1: the l1 strength.
    let strength: Double
    let weightCount: Int
    /// u, accumulated in double precision.
    private(set) var total = 0.0
    private var totalForStep: Float = 0
    /// q, one per weight (padding included; padding weights are 0 and stay 0).
    private let q: UnsafeMutablePointer<Float>

    init(strength: Double, weightCount: Int) {
        self.strength = strength
        self.weightCount = weightCount
        q = .allocate(capacity: max(weightCount, 1))
        q.initialize(repeating: 0, count: max(weightCount, 1))
    }

    deinit { q.deallocate() }

    /// A copy of q (for a checkpoint).
    var received: [Float] { Array(UnsafeBufferPointer(start: q, count: weightCount)) }

    /// Adds this step's eta_t alpha_1 to u; call once per step before ``truncate``.
    func beginStep(eta: Double) {
        total += eta * strength
        totalForStep = Float(total)
    }

    /// Restores u and q (from a checkpoint).
    func restore(total: Double, received: [Float]) {
        precondition(received.count == weightCount)
        self.total = total
        _ = UnsafeMutableBufferPointer(start: q, count: weightCount).update(fromContentsOf: received)
        totalForStep = Float(total)
    }

    /// Applies the truncation to the weights in `range` (elements at or past `weightCount`
    /// are biases and are left alone).
    func truncate(parameters: UnsafeMutablePointer<Float>, range: Range<Int>) {
        truncateL1(parameters: parameters, received: q, range: range, weightCount: weightCount, total: totalForStep)
    }
}
