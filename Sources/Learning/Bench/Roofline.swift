/// The least time an epoch can take on a machine, from its two ceilings: the FLOPs at the
/// peak rate, or the bytes read at the read bandwidth, whichever is longer,
///
///     bound = max(flops / peak, bytes / bandwidth)   (seconds),
///
/// with peak and bandwidth those measured for the run's thread count. The fraction reached
/// is bound / measured seconds: 1 means the run went as fast as the slower ceiling allows.
public struct Roofline: Sendable, Equatable {
    /// The epoch's floating-point operations and bytes read from memory.
    public var flops: Double
    public var bytes: Double
    /// FLOP/s and bytes per second of the machine at the run's thread count.
    public var peakFlops: Double
    public var bandwidth: Double

    public init(flops: Double, bytes: Double, peakFlops: Double, bandwidth: Double) {
        precondition(peakFlops > 0 && bandwidth > 0)
        self.flops = flops
        self.bytes = bytes
        self.peakFlops = peakFlops
        self.bandwidth = bandwidth
    }

    /// A workload's epoch with `workers` threads on a machine measured as `peak` and `read`.
    public init(_ w: BenchmarkWorkload, workers: Int, peak: PeakFlops, read: ReadBandwidth) {
        self.init(flops: w.flopsPerEpoch, bytes: w.bytesPerEpoch, peakFlops: peak.flops(threads: workers),
                  bandwidth: read.bytesPerSecond(threads: workers))
    }

    /// Which ceiling sets the bound.
    public enum Limit: String, Sendable { case compute, memory }

    /// flops / peak: seconds at the peak rate.
    public var computeSeconds: Double { flops / peakFlops }
    /// bytes / bandwidth: seconds to read the bytes once.
    public var memorySeconds: Double { bytes / bandwidth }
    /// max(computeSeconds, memorySeconds).
    public var boundSeconds: Double { max(computeSeconds, memorySeconds) }
    public var limit: Limit { memorySeconds > computeSeconds ? .memory : .compute }

    /// bound / `seconds`: the fraction of the bound a run of `seconds` per epoch reached.
    public func fractionReached(seconds: Double) -> Double { boundSeconds / seconds }
}
