/// The books of the cumulative l1 truncation (``CumulativeL1``, ``LazyL1``): u, the total
/// penalty every weight could have received so far (sum_t eta_t alpha_1, in double
/// precision, and its float32 value for the current step), and q, the penalty each weight did
/// receive.
final class L1Ledger {
    /// alpha_1: the l1 strength.
    let strength: Double
    let weightCount: Int
    /// u.
    private(set) var total = 0.0
    /// u as float32, the value this step's truncations use.
    private(set) var totalForStep: Float = 0
    /// q, one per weight.
    let received: FloatBuffer

    init(strength: Double, weightCount: Int) {
        self.strength = strength
        self.weightCount = weightCount
        received = FloatBuffer(count: weightCount)
    }

    /// Adds this step's eta_t alpha_1 to u; call once per step before its truncations.
    func beginStep(eta: Double) {
        total += eta * strength
        totalForStep = Float(total)
    }

    /// Restores u and q (from a checkpoint).
    func restore(total: Double, received saved: [Float]) {
        self.total = total
        received.restore(saved)
        totalForStep = Float(total)
    }
}
