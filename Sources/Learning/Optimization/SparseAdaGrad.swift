import DataParallel

/// AdaGrad per coordinate on sparse rows (Duchi, Hazan and Singer 2011, diagonal form). For
/// each weight w of a touched feature, with g = G / B its batch-mean gradient:
///
///     g  <- g + l2 * w                                  (l2 = alpha * l2 share)
///     G2 <- G2 + g^2
///     w  <- w - eta * g / (sqrt(G2) + epsilon)
///     w  <- sign(w) * max(0, |w| - eta * l1 / (sqrt(G2) + epsilon))   (l1 = alpha * l1 share)
///
/// so the l2 term joins the gradient and the l1 term is a proximal (soft-threshold) step with
/// the coordinate's own rate. Both act only when a step touches the feature: an untouched
/// weight is not decayed (a rare word's weight is regularised each time it is seen, not each
/// step; a per-step decay of every weight would cost O(d K) a step). Biases: G2 and the same
/// step without penalty. The state starts at 0, so a coordinate's first step moves it by
/// eta * g / (|g| + epsilon), about eta.
final class SparseAdaGrad: SparseAdaptiveOptimizer {
    let l2: Float, l1: Float, epsilon: Float
    /// G2 of the weights, feature-major like V, then of the biases.
    private let squares: FloatBuffer
    private let weightCount: Int

    init(l2: Float, l1: Float, epsilon: Float, featureCount d: Int, outputs o: Int) {
        self.l2 = l2
        self.l1 = l1
        self.epsilon = epsilon
        weightCount = d * o
        squares = FloatBuffer(count: d * o + o)
    }

    var stateCount: Int { squares.count }
    var stateCopy: [Float] { squares.copy }
    func restore(_ saved: [Float]) { squares.restore(saved) }

    func step(_ w: inout SparseLinearWeights, gradient: SparseGradient, eta: Float, batchSize: Int, pool: WorkerPool) {
        precondition(w.scale == 1)
        let o = w.outputCount, invB = 1 / Float(batchSize)
        let l2 = l2, l1 = l1, epsilon = epsilon, s = squares.pointer, values = gradient.values
        w.v.withUnsafeMutableBufferPointer { vb in
            let v = vb.baseAddress!
            gradient.forEachTouched(pool: pool, cost: 12) { t, base in
                let gt = values + t &* o
                for k in 0..<o {
                    let i = base &+ k
                    let g = gt[k] * invB + l2 * v[i]
                    s[i] += g * g
                    let rate = eta / (s[i].squareRoot() + epsilon)
                    var x = v[i] - rate * g
                    if l1 > 0 { x = x > 0 ? max(0, x - rate * l1) : min(0, x + rate * l1) }
                    v[i] = x
                }
            }
        }
        let sb = s + weightCount
        for k in 0..<o {
            let g = gradient.bias[k] * invB
            sb[k] += g * g
            w.bias[k] -= eta * g / (sb[k].squareRoot() + epsilon)
        }
    }
}
