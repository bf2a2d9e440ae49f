import DataParallel

/// The step on the touched features only, after the l2 decay has gone into the scale:
///
///     V[j, k] <- V[j, k] - (eta / scale) (G[j, k] / B)      b <- b - eta g_b / B
///
/// which is W <- W - eta G / B for the true weights; then the lazy l1 truncation of those
/// weights. O(touched features x O).
func sparseStep(_ w: inout SparseLinearWeights, gradient g: SparseGradient, eta: Float, batchSize: Int, l1: LazyL1?,
                pool: WorkerPool) {
    let o = w.outputCount, invB = 1 / Float(batchSize)
    let scale = Float(w.scale), c = eta / scale
    w.v.withUnsafeMutableBufferPointer { vb in
        let v = vb.baseAddress!
        let plan = ShardPlan(count: g.count, grain: 512, maxShards: 64)
        pool.parallelFor(plan, cost: g.count * o * 8) { _, range in
            for t in range {
                let base = Int(g.columns[t]) &* o, gt = g.values + t &* o
                for k in 0..<o { v[base + k] -= c * (gt[k] * invB) }
                l1?.truncate(v, range: base..<(base + o), scale: scale)
            }
        }
    }
    for k in 0..<o { w.bias[k] -= eta * g.bias[k] * invB }
}
