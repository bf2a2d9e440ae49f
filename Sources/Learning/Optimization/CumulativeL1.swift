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
    /// u, accumulated in double precision.
    private(set) var total = 0.0
    private var totalForStep: Float = 0
    /// q, one per weight (padding included; padding weights are 0 and stay 0).
    private(set) var received: [Float]

    init(strength: Double, weightCount: Int) {
        self.strength = strength
        received = [Float](repeating: 0, count: weightCount)
    }

    /// Adds this step's eta_t alpha_1 to u; call once per step before ``truncate``.
    func beginStep(eta: Double) {
        total += eta * strength
        totalForStep = Float(total)
    }

    /// Restores u and q (from a checkpoint).
    func restore(total: Double, received: [Float]) {
        precondition(received.count == self.received.count)
        self.total = total
        self.received = received
        totalForStep = Float(total)
    }

    /// Applies the truncation to the weights in `range` (elements at or past `weightCount`
    /// are biases and are left alone).
    func truncate(parameters: UnsafeMutablePointer<Float>, range: Range<Int>) {
        let u = totalForStep
        let end = min(range.upperBound, received.count)
        guard range.lowerBound < end else { return }
        received.withUnsafeMutableBufferPointer { q in
            for i in range.lowerBound..<end {
                let z = parameters[i]
                if z > 0 {
                    parameters[i] = max(0, z - (u + q[i]))
                } else if z < 0 {
                    parameters[i] = min(0, z + (u - q[i]))
                } else {
                    continue
                }
                q[i] += parameters[i] - z
            }
        }
    }
}
