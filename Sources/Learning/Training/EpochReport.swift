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

    /// Reads a report written by ``jsonValue`` (nil when a member is missing or mistyped).
    public init?(json: JSONValue) {
        func number(_ key: String) -> Double? {
            if case .number(let d)? = json[key] { return d }
            return nil
        }
        func optional(_ key: String) -> Double?? {
            switch json[key] {
            case .number(let d)?: return .some(d)
            case .null?: return .some(nil)
            default: return nil
            }
        }
        guard let e = number("epoch"), e == e.rounded(), e >= 1, e < 1e15, let loss = number("loss"),
              let accuracy = number("accuracy"), let rate = number("learning_rate"), let seconds = number("seconds"),
              let speed = number("samples_per_second"), let testLoss = optional("test_loss"),
              let testAccuracy = optional("test_accuracy"), let validationLoss = optional("validation_loss"),
              let validationAccuracy = optional("validation_accuracy")
        else { return nil }
        self.init(epoch: Int(e), loss: loss, accuracy: accuracy, learningRate: rate, seconds: seconds,
                  samplesPerSecond: speed, testLoss: testLoss, testAccuracy: testAccuracy,
                  validationLoss: validationLoss, validationAccuracy: validationAccuracy,
                  zeroFraction: optional("zero_fraction") ?? nil)
    }
}
