import Foundation

/// How a `minibatch train` run goes beyond its config.
public struct JobControl {
    /// Write DIR/checkpoint after every N epochs.
    public var checkpointEvery: Int?
    /// Continue from this checkpoint (its config is the run's config).
    public var resume: Checkpoint?
    /// Asked after every step; true ends the run with a checkpoint (see ``TrainingJob/run``).
    public var shouldStop: () -> Bool
    public var onProgress: ((TrainingProgress) -> Void)?
    /// Called as the run enters each stage (see ``JobStage``): a caller that handles signals
    /// can tell when ``shouldStop`` is asked (only while training).
    public var onStage: ((JobStage) -> Void)? = nil
    /// Where each step's shard gradients are summed. A ``GroupCombiner`` makes this run one
    /// of the processes of a group (the ranks of an MPI job), which train in lock step.
    public var combiner: any StepCombiner = LocalCombiner()
    /// False on every process of a group but the first: the run's files (checkpoints,
    /// model.json, metrics.jsonl, report.html) are written once.
    public var writesFiles = true
    /// Called once the data is loaded and the starting model chosen, before training: where
    /// the processes of a group learn that every one of them has loaded.
    public var onLoaded: () throws(LearningError) -> Void = {}

    public init(checkpointEvery: Int? = nil, resume: Checkpoint? = nil, shouldStop: @escaping () -> Bool = { false },
                onProgress: ((TrainingProgress) -> Void)? = nil) {
        self.checkpointEvery = checkpointEvery
        self.resume = resume
        self.shouldStop = shouldStop
        self.onProgress = onProgress
    }
}

/// The stages of a training run, in order.
public enum JobStage: Int, Sendable {
    /// Reading the data and the starting model; ``JobControl/shouldStop`` is not asked.
    case loading
    /// The training loop, which asks ``JobControl/shouldStop`` after every step.
    case training
    /// Writing the run's files (or an interrupted run's checkpoint).
    case writing
}

extension JobControl {
    /// Checks that a resumed run trains on its checkpoint's data, and makes the trainer's
    /// control, whose checkpoints go to `folder`/checkpoint.
    /// - Returns: that control, and the function that writes a state as the checkpoint.
    func trainerControl(config: Config, initModel: String?, data identity: DataIdentity, output: RunOutput?)
        throws(LearningError) -> (control: TrainingControl, checkpoint: (TrainingState) throws(LearningError) -> Void)
    {
        if let resume, resume.data != identity {
            throw .data(file: config.data.train ?? "<synthetic>", line: nil,
                        message: "the training data differs from the checkpoint's (\(resume.data.rows) rows, "
                            + "\(resume.data.features) features, classes \(resume.data.classes.joined(separator: ", ")) "
                            + "and a fingerprint of every value); resume with the same data")
        }
        let checkpoint = { (state: TrainingState) throws(LearningError) in
            guard let output else { return }  // a process of a group that writes no files
            try output.writeCheckpoint(Checkpoint(config: config, initModel: initModel, data: identity, state: state))
        }
        var control = TrainingControl(checkpointEvery: checkpointEvery, onCheckpoint: checkpoint, shouldStop: shouldStop,
                                      onProgress: onProgress)
        if resume != nil { control.checkpointFile = Checkpoint.path(in: RunFolder.outputFolder(config)) }
        return (control, checkpoint)
    }
}
