/// The l1 part of a penalty on the sparse path: ``CumulativeL1``'s rule (the cumulative
/// truncated gradient, as scikit-learn applies it), applied lazily, as scikit-learn does for
/// sparse input: u accumulates at every step, but a weight is truncated only when a step
/// touches its feature, and then receives all it is owed; ``truncateAll(_:)`` settles every
/// weight (at the end of each epoch). Between, a step's forward pass reads a weight as it
/// would be settled (``owed``, ``settledWeight``), so the scores are the dense path's.
/// Weights are W = scale * V: the rule runs on the true weights, u and q are in their units.
final class LazyL1 {
    /// u and q, feature-major like V.
    let ledger: L1Ledger

    init(strength: Double, weightCount: Int) { ledger = L1Ledger(strength: strength, weightCount: weightCount) }

    /// u and a copy of q (for a checkpoint).
    var total: Double { ledger.total }
    var received: [Float] { ledger.received.copy }

    /// q and the u of the last step, for reading weights as settled (valid while this lives).
    var owed: OwedL1 { OwedL1(received: UnsafePointer(ledger.received.pointer), total: ledger.totalForStep) }

    func beginStep(eta: Double) { ledger.beginStep(eta: eta) }
    func restore(total: Double, received: [Float]) { ledger.restore(total: total, received: received) }

    /// Truncates the weights V[range] (true weight scale * V). With scale 1 this is
    /// ``CumulativeL1/truncate(parameters:range:)`` bit for bit.
    @inline(__always)
    func truncate(_ v: UnsafeMutablePointer<Float>, range: Range<Int>, scale: Float) {
        let u = ledger.totalForStep, q = ledger.received.pointer
        for i in range {
            let z = v[i]
            if z == 0 { continue }
            let w = scale * z
            let after: Float
            if w > 0 {
                after = max(0, w - (u + q[i]))
            } else if w < 0 {
                after = min(0, w + (u - q[i]))
            } else {
                continue
            }
            v[i] = after / scale
            q[i] += after - w
        }
    }

    /// Settles every weight with the u of the last step: O(d O).
    func truncateAll(_ weights: inout SparseLinearWeights) {
        let s = Float(weights.scale)
        weights.v.withUnsafeMutableBufferPointer { v in truncate(v.baseAddress!, range: 0..<v.count, scale: s) }
    }
}
