import Foundation

/// SplitMix64 (Steele, Lea and Flood, 2014): a small, fast, seedable generator.
/// Every random choice in the library (shuffles, splits, synthetic data, initialisation)
/// comes from it, so a seed fixes a run on every platform and Swift version.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift with rejection, no modulo bias).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        while true {
            let r = next().multipliedFullWidth(by: b)
            if r.low >= b || r.low >= (0 &- b) % b { return Int(r.high) }
        }
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal sample (Box-Muller; the second of the pair is discarded).
    public mutating func nextGaussian() -> Double { nextGaussianPair().0 }

    /// Two independent standard normal samples (Box-Muller).
    public mutating func nextGaussianPair() -> (Double, Double) {
        let u1 = 1.0 - nextUnit()  // (0, 1]
        let u2 = nextUnit()
        let r = (-2.0 * log(u1)).squareRoot(), a = 2.0 * Double.pi * u2
        return (r * cos(a), r * sin(a))
    }

    /// Shuffles `a` in place by Fisher-Yates with this generator.
    public mutating func shuffle<T>(_ a: inout [T]) {
        if a.count < 2 { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { a.swapAt(i, j) }
        }
    }
}
