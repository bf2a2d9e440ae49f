import DataParallel

/// FTRL-Proximal per coordinate (McMahan et al., "Ad Click Prediction: a View from the
/// Trenches", 2013, Algorithm 1) on sparse rows. Each weight keeps z and n; with g = G / B its
/// batch-mean gradient and w its current value, a step on a touched feature does
///
///     sigma = (sqrt(n + g^2) - sqrt(n)) / alpha
///     z <- z + g - sigma * w
///     n <- n + g^2
///     w <- 0                                                    if |z| <= l1
///     w <- -(z - sign(z) * l1) / ((beta + sqrt(n)) / alpha + l2)   otherwise
///
/// alpha is the schedule's rate (eta0 with the "constant" rate ftrl defaults to), beta is
/// `training.ftrl_beta`, l1 = alpha_penalty * l1 share and l2 = alpha_penalty * l2 share
/// (`training.alpha`, `penalty`, `l1_ratio`). As in the paper, l1 and l2 are the constants of
/// the cumulative objective sum_t g_t . w + l1 |w|_1 + l2/2 |w|^2, neither scaled by the rows
/// nor by the steps (docs/sparse.md). Weights are the closed form of (z, n), so an untouched
/// weight needs no catching up: it is recomputed when its feature is next touched, and its
/// stored value (used by the forward pass) is the one of its last touch. Biases: their own z
/// and n, without penalty. A run that starts from non-zero weights (a warm start) sets z so
/// that the closed form with n = 0 gives them back (``start(from:alpha:)``).
final class SparseFTRL: SparseAdaptiveOptimizer {
    let l2: Float, l1: Float, beta: Float
    /// z of the weights (feature-major like V) and of the biases, then n of the weights and
    /// of the biases.
    private let state: FloatBuffer
    private let weightCount: Int, outputs: Int

    init(l2: Float, l1: Float, beta: Float, featureCount d: Int, outputs o: Int) {
        self.l2 = l2
        self.l1 = l1
        self.beta = beta
        weightCount = d * o
        outputs = o
        state = FloatBuffer(count: 2 * (d * o + o))
    }

    var stateCount: Int { state.count }
    var stateCopy: [Float] { state.copy }
    func restore(_ saved: [Float]) { state.restore(saved) }

    /// z for every weight and bias w of a starting model, with n = 0:
    /// z = -w (beta / alpha + l2) - sign(w) l1, so the closed form returns w (O(d K), once).
    func start(from w: SparseLinearWeights, alpha: Float) {
        let z = state.pointer
        func seed(_ i: Int, _ x: Float, l1: Float, l2: Float) {
            if x != 0 { z[i] = -x * (beta / alpha + l2) - (x > 0 ? l1 : -l1) }
        }
        for (i, x) in w.v.enumerated() { seed(i, Float(w.scale) * x, l1: l1, l2: l2) }
        for (k, x) in w.bias.enumerated() { seed(weightCount + k, x, l1: 0, l2: 0) }
    }

    /// The update of one coordinate: its (z, n) and its new weight from `w`, its gradient g.
    @inline(__always)
    static func update(z: inout Float, n: inout Float, w: Float, g: Float, alpha: Float, beta: Float, l1: Float,
                       l2: Float) -> Float {
        let root = n.squareRoot(), next = n + g * g, nextRoot = next.squareRoot()
        let sigma = (nextRoot - root) / alpha
        z += g - sigma * w
        n = next
        if abs(z) <= l1 { return 0 }
        return -(z - (z > 0 ? l1 : -l1)) / ((beta + nextRoot) / alpha + l2)
    }

    func step(_ w: inout SparseLinearWeights, gradient: SparseGradient, eta: Float, batchSize: Int, pool: WorkerPool) {
        precondition(w.scale == 1)
        let o = w.outputCount, invB = 1 / Float(batchSize), all = weightCount + outputs
        let l2 = l2, l1 = l1, beta = beta, z = state.pointer, n = state.pointer + all, values = gradient.values
        w.v.withUnsafeMutableBufferPointer { vb in
            let v = vb.baseAddress!
            gradient.forEachTouched(pool: pool, cost: 16) { t, base in
                let gt = values + t &* o
                for k in 0..<o {
                    let i = base &+ k
                    v[i] = Self.update(z: &z[i], n: &n[i], w: v[i], g: gt[k] * invB, alpha: eta, beta: beta, l1: l1, l2: l2)
                }
            }
        }
        for k in 0..<o {
            let i = weightCount + k
            w.bias[k] = Self.update(z: &z[i], n: &n[i], w: w.bias[k], g: gradient.bias[k] * invB, alpha: eta, beta: beta,
                                    l1: 0, l2: 0)
        }
    }
}
