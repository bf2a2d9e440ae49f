/// The outcome of a training run (``Trainer``, ``SparseTrainer``).
public struct TrainingRun<M: Classifier>: Sendable {
    public var model: M
    public var epochs: [EpochReport]
    public var stopReason: StopReason
    /// SGD steps taken (the schedule's t at the end).
    public var steps: Int
    public var seconds: Double
    /// The state at the end: where an interrupted run resumes.
    public var state: TrainingState

    /// The same run with the model wrapped (for example as a ``Model``).
    func map<N>(_ wrap: (M) -> N) -> TrainingRun<N> {
        TrainingRun<N>(model: wrap(model), epochs: epochs, stopReason: stopReason, steps: steps, seconds: seconds,
                       state: state)
    }
}
