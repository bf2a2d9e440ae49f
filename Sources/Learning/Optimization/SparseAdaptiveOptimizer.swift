import DataParallel

/// A per-coordinate adaptive rule of the sparse path (``SparseAdaGrad``, ``SparseFTRL``): it
/// keeps state per weight and per bias, and a step changes the weights and state of the
/// features the batch touches and nothing else, in O(touched features x outputs).
///
/// The gradient a step applies is the batch mean, g = G / B (G the summed gradient of the
/// batch's B rows, with their sample weights), as for sparse sgd. The l2 decay by scale and
/// the lazy l1 truncation of sgd are not used: each rule applies the penalty itself (see
/// there). The weights stay at scale 1.
///
/// Each touched coordinate's update reads only its own gradient entry and state, so the touched
/// features are split over the workers in any way and the bits stay the same.
protocol SparseAdaptiveOptimizer: AnyObject {
    /// Floats of state: what a checkpoint's `optimizer` array holds.
    var stateCount: Int { get }
    /// A copy of the state (for a checkpoint).
    var stateCopy: [Float] { get }
    /// Restores the state (`saved.count == stateCount`).
    func restore(_ saved: [Float])
    /// One step on the features `gradient` touches, with the schedule's rate `eta`.
    func step(_ w: inout SparseLinearWeights, gradient: SparseGradient, eta: Float, batchSize: Int, pool: WorkerPool)
}

/// The adaptive rule `options` ask for on sparse rows, or nil for sgd.
func makeSparseAdaptiveOptimizer(_ options: TrainingOptions, featureCount d: Int, outputs o: Int)
    -> (any SparseAdaptiveOptimizer)?
{
    let regularization = Regularization(options)
    switch options.optimizer {
    case .adagrad:
        return SparseAdaGrad(l2: regularization.decay, l1: Float(regularization.l1Strength),
                             epsilon: Float(options.epsilon), featureCount: d, outputs: o)
    case .ftrl:
        return SparseFTRL(l2: regularization.decay, l1: Float(regularization.l1Strength), beta: Float(options.ftrlBeta),
                          featureCount: d, outputs: o)
    case .sgd, .adam:
        return nil
    }
}

extension SparseGradient {
    /// Runs `body(t, base)` for every touched feature t (its weights at v[base ..< base + O]),
    /// the features split over the pool's workers; `cost` is the work per weight.
    func forEachTouched(pool: WorkerPool, cost: Int, _ body: (_ t: Int, _ base: Int) -> Void) {
        let o = outputs, columns = self.columns
        let plan = ShardPlan(count: count, grain: 512, maxShards: 64)
        pool.parallelFor(plan, cost: count * o * cost) { _, range in
            for t in range { body(t, Int(columns[t]) &* o) }
        }
    }
}
