/// The values a real-valued config key allows, and the words an error uses for them.
struct NumberRange: Sendable {
    var min: Double
    var minInclusive = true
    var max = Double.infinity
    var maxInclusive = true
    /// What is allowed, as an error message says it: "a number in [0, 1)".
    var allowed: String

    /// True for a finite value inside the range. JSON has no NaN or infinity, so only a
    /// config built in code can hold one; the model file could not store it.
    func contains(_ d: Double) -> Bool {
        guard d.isFinite else { return false }
        let aboveMin = minInclusive ? d >= min : d > min
        let belowMax = maxInclusive ? d <= max : d < max
        return aboveMin && belowMax
    }
}

/// The allowed range of every numeric config key, written once: `decode` checks a file's
/// values against them and `validate()` a config's, so both give the same message.
enum ConfigLimits {
    // data
    static let features = 1...LIBSVMReader.maxIndex
    static let labelColumn = -1_000_000...1_000_000
    static let testFraction = NumberRange(min: 0, max: 1, maxInclusive: false, allowed: "a number in [0, 1)")
    static let syntheticSamples = 2...100_000_000
    static let syntheticFeatures = 1...1_000_000
    static let syntheticClasses = 2...100_000
    // Bounded so that the float32 features stay finite (a Gaussian draw times 1e30 is far
    // below float32's 3.4e38); larger noise made every value infinite.
    static let noise = NumberRange(min: 0, max: 1e30, allowed: "a number from 0 to 1e30")
    static let seed = 0...Int(Config.maxSeed)

    // model
    static let hiddenLayers = 1...64
    static let layerSize = 1...100_000

    // training
    static let batchSize = 1...Int(Int32.max)
    static let epochs = 1...100_000_000
    static let eta0 = NumberRange(min: 0, minInclusive: false, allowed: "a number > 0")
    static let powerT = NumberRange(min: 0, allowed: "a number >= 0")
    static let l1Ratio = NumberRange(min: 0, max: 1, allowed: "a number in [0, 1]")
    static let alpha = NumberRange(min: 0, allowed: "a number >= 0")
    static let tol = NumberRange(min: 0, allowed: "a number >= 0 or null")
    static let nIterNoChange = 1...1_000_000
    static let momentum = NumberRange(min: 0, max: 1, maxInclusive: false, allowed: "a number in [0, 1)")
    static let beta = NumberRange(min: 0, max: 1, maxInclusive: false, allowed: "a number in [0, 1)")
    static let epsilon = NumberRange(min: 0, minInclusive: false, allowed: "a number > 0")
    static let ftrlBeta = NumberRange(min: 0, allowed: "a number >= 0")
    static let validationFraction = NumberRange(min: 0, minInclusive: false, max: 1, maxInclusive: false,
                                                allowed: "a number in (0, 1)")
    static let average = 1...Int(Int32.max)
    static let classWeight = NumberRange(min: 0, minInclusive: false, max: Double(Float.greatestFiniteMagnitude),
                                         allowed: "a float32 number > 0")
    static let maxSeconds = NumberRange(min: 0, minInclusive: false, allowed: "a number > 0 or null")

    static let workers = 0...Config.maxWorkers
}
