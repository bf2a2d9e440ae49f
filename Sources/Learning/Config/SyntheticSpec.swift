/// A synthetic data set made in memory (see ``SyntheticData``).
public struct SyntheticSpec: Sendable, Equatable {
    public var shape = SyntheticShape.blobs
    public var samples = 1000
    public var features = 20
    public var classes = 3
    public var noise = 1.0
    public var seed: UInt64 = 0
    public init() {}
}
