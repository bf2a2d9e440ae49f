/// A whole run's configuration, decoded once from JSON into typed values.
public struct Config: Sendable, Equatable {
    public var data = DataConfig()
    public var modelType = ModelType.auto
    /// Hidden layer sizes of an "mlp" (scikit-learn MLPClassifier's default, one layer of 100).
    public var hidden = [100]
    public var activation = Activation.relu
    public var training = TrainingOptions()
    /// Worker threads; 0 means one per active core.
    public var workers = 0
    /// Output folder; nil means `runs/<config file name>` in the current folder.
    public var outputDir: String?
    /// The file it was read from ("<config>" for one built in code).
    public var file = "<config>"
    public init() {}

    /// The largest worker count accepted.
    public static let maxWorkers = 1024
    /// The largest seed accepted: seeds must survive a round trip through JSON numbers.
    public static let maxSeed: UInt64 = 1 << 53
}
