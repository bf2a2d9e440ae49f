/// Where the epoch in progress stands after a step, for progress displays.
public struct TrainingProgress: Sendable, Equatable {
    /// The epoch in progress (1-based) and the most epochs.
    public var epoch: Int
    public var epochs: Int
    public var batchesDone: Int
    public var batchesInEpoch: Int
    public var samplesDone: Int
    public var samplesInEpoch: Int
    /// Wall seconds since the epoch began.
    public var seconds: Double
    /// Mean loss of the epoch's samples so far (running, as in ``EpochReport/loss``).
    public var loss: Double

    public init(epoch: Int, epochs: Int, batchesDone: Int, batchesInEpoch: Int, samplesDone: Int, samplesInEpoch: Int,
                seconds: Double, loss: Double) {
        self.epoch = epoch
        self.epochs = epochs
        self.batchesDone = batchesDone
        self.batchesInEpoch = batchesInEpoch
        self.samplesDone = samplesDone
        self.samplesInEpoch = samplesInEpoch
        self.seconds = seconds
        self.loss = loss
    }

    public var samplesPerSecond: Double { Double(samplesDone) / max(seconds, 1e-9) }

    /// Seconds until the epoch ends at the rate so far.
    public var secondsLeft: Double {
        samplesDone > 0 ? seconds / Double(samplesDone) * Double(samplesInEpoch - samplesDone) : .infinity
    }
}
