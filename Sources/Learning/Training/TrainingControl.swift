/// How a caller steers a training run beyond its options.
public struct TrainingControl {
    /// Call `onCheckpoint` with the state after every `checkpointEvery` epochs (not after the last).
    public var checkpointEvery: Int?
    public var onCheckpoint: (TrainingState) throws(LearningError) -> Void
    /// Asked after every step; true ends the run there with ``StopReason/interrupted`` and
    /// the state to resume from.
    public var shouldStop: () -> Bool
    /// Called after every step.
    public var onProgress: ((TrainingProgress) -> Void)?
    /// The checkpoint file a `resume` state was read from, named in errors about it.
    public var checkpointFile = "<checkpoint>"

    public init(checkpointEvery: Int? = nil, onCheckpoint: @escaping (TrainingState) throws(LearningError) -> Void = { _ in },
                shouldStop: @escaping () -> Bool = { false }, onProgress: ((TrainingProgress) -> Void)? = nil) {
        self.checkpointEvery = checkpointEvery
        self.onCheckpoint = onCheckpoint
        self.shouldStop = shouldStop
        self.onProgress = onProgress
    }
}
