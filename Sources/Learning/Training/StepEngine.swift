import DataParallel

/// The rows of one step, in the epoch's order: pointers into the loop's permutation, labels
/// and row weights at the batch's first row.
struct Batch {
    /// The batch's first row in the epoch's order, and its row count b.
    let first: Int
    let count: Int
    /// (b) data rows; (b) their classes; (b) their weights, or nil when every row weighs 1.
    let rows: UnsafePointer<Int32>
    let labels: UnsafePointer<Int32>
    let weights: UnsafePointer<Float>?
    /// The batch's shards (``Batches/plan(batchRows:)``).
    let plan: ShardPlan
    /// Rows of the epoch after this batch: `rows + count` points at the next batch's rows
    /// when this is above 0.
    var following = 0

    /// The rows the thread that computes shard `shard` of this batch will probably read next,
    /// with `workers` threads taking shards in turn from `shards` (this process's own): shard
    /// `shard + workers`, or the matching shard of the next batch, whose rows follow this
    /// batch's in the epoch's order. Nil when the epoch has no such rows.
    func upcoming(after shard: Int, workers: Int, shards: Range<Int>) -> UpcomingRows? {
        let target = shard + workers
        if target < shards.upperBound {
            let r = plan.range(of: target)
            return UpcomingRows(rows: rows + r.lowerBound, count: r.count)
        }
        guard following > 0 else { return nil }
        let nextPlan = Batches.plan(batchRows: min(count, following))
        let nextShard = target - shards.upperBound + shards.lowerBound
        guard nextShard < nextPlan.shardCount else { return nil }
        let r = nextPlan.range(of: nextShard)
        return UpcomingRows(rows: rows + count + r.lowerBound, count: r.count)
    }
}

/// What differs between training on dense and on sparse rows, behind one interface, so that
/// one ``TrainingLoop`` trains both: computing a batch's shard gradients, combining them and
/// taking the step, the end-of-epoch work, scoring and the parts of the state it keeps.
///
/// `averaged` arguments are the running mean of the parameters (averaged SGD) once it has
/// taken a step, else nil: the model to report and score is then the averaged one.
protocol StepEngine: AnyObject {
    associatedtype Rows: TrainingRows
    associatedtype Trained: TrainableModel

    /// Where the engine's steps are combined.
    var combiner: any StepCombiner { get }
    /// The parameters now, in the model's flat layout (the state's `parameters`).
    var parameters: [Float] { get }
    /// True when every parameter is finite.
    var parametersAreFinite: Bool { get }

    /// Checks that a checkpoint's state fits this engine, then takes its parameters and the
    /// optimizer's and penalty's state from it.
    /// - Throws: a model-file error naming `file` when it does not fit.
    func restore(_ state: TrainingState, rows: Int, file: String) throws(LearningError)
    /// Writes the state this engine keeps (parameters, optimizer, penalty) into `state`.
    func save(into state: inout TrainingState)

    /// Computes the gradients of this process's shards of the batch (the combiner's
    /// ``StepCombiner/ownedShards(of:)``; every shard in one process) with the current
    /// parameters, into the engine's per-shard buffers, with their figures.
    func accumulate(_ batch: Batch)
    /// Combines the shard gradients and figures of the last ``accumulate(_:)`` and takes the
    /// step at rate `eta`, the run's step `t` (1, 2, ...).
    /// - Parameter stop: whether this process wants the run to stop after this step.
    /// - Returns: the batch's figures, and whether the run stops after this step.
    func step(_ batch: Batch, eta: Float, t: Int, stop: Bool) -> StepOutcome
    /// averaged <- averaged + (parameters - averaged) / k.
    func average(into averaged: inout [Float], k: Int)
    /// Work due at the end of every epoch (the sparse path settles its lazy l1 penalty).
    func endEpoch()

    /// The model: the current parameters, or `averaged`.
    func model(averaged: [Float]?) -> Trained
    /// The model's figures on `data`.
    func evaluate(_ data: Rows, averaged: [Float]?) -> Evaluation
    /// R(W) of the model's weights (``Penalty/value(_:l1Ratio:)``).
    func penaltyValue(averaged: [Float]?) -> Double
    /// The fraction of the model's weights that are exactly zero.
    func zeroWeightFraction(averaged: [Float]?) -> Double
}
