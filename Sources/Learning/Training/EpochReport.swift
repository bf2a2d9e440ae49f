/// What one epoch did. `loss` and `accuracy` are running values over the epoch: each
/// sample's loss and prediction with the weights before the step that used it (as
/// scikit-learn's verbose "avg. loss"), so they cost nothing extra.
public struct EpochReport: Sendable, Equatable {
    public var epoch: Int
    /// Mean data loss over the epoch's samples (no penalty term); with sample or class
    /// weights, (1/n) sum_i w_i L_i, the data term of the weighted objective.
    public var loss: Double
    public var accuracy: Double
    /// The rate of the epoch's last step.
    public var learningRate: Double
    /// Wall seconds of the epoch's steps (test scoring not included).
    public var seconds: Double
    public var samplesPerSecond: Double
    /// Loss and accuracy on the test set with the weights at the end of the epoch.
    public var testLoss: Double?
    public var testAccuracy: Double?
    /// The same on the validation set held out for early stopping.
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// With an l1 or elasticnet penalty: the fraction of weights (padding not counted) that
    /// are exactly zero at the end of the epoch.
    public var zeroFraction: Double?
}

extension EpochReport {
    /// The report as one JSON object (a line of metrics.jsonl).
    public var jsonValue: JSONValue {
        .object([
            ("epoch", .number(Double(epoch))),
            ("loss", .number(loss)),
            ("accuracy", .number(accuracy)),
            ("learning_rate", .number(learningRate)),
            ("seconds", .number(seconds)),
            ("samples_per_second", .number(samplesPerSecond)),
            ("test_loss", .numberOrNull(testLoss)),
            ("test_accuracy", .numberOrNull(testAccuracy)),
            ("validation_loss", .numberOrNull(validationLoss)),
            ("validation_accuracy", .numberOrNull(validationAccuracy)),
            ("zero_fraction", .numberOrNull(zeroFraction)),
        ])
    }

    /// Reads a report written by ``jsonValue`` (nil when the loss, accuracy, rate or timings
    /// are missing or not numbers); the record is decoded as metrics.jsonl's lines are
    /// (``EpochMetrics``).
    public init?(json: JSONValue) {
        guard let m = try? EpochMetrics(json: json, bad: { LearningError.training(message: $0) }),
              let loss = m.loss, let accuracy = m.accuracy, let rate = m.learningRate, let seconds = m.seconds,
              let speed = m.samplesPerSecond
        else { return nil }
        self.init(epoch: m.epoch, loss: loss, accuracy: accuracy, learningRate: rate, seconds: seconds,
                  samplesPerSecond: speed, testLoss: m.testLoss, testAccuracy: m.testAccuracy,
                  validationLoss: m.validationLoss, validationAccuracy: m.validationAccuracy, zeroFraction: m.zeroFraction)
    }
}
