import Foundation
internal import LearningKernels

/// The machine's read bandwidth from memory for each thread count: a streaming sum
/// (`streamingSum` in LearningKernels, vectorised for the target CPU) over a buffer far larger
/// than the caches. With t threads, thread i sums the i-th of t equal, contiguous slices at the
/// same time as the others (``SimultaneousRun``); the rate is the buffer's bytes over the window
/// from the first start to the last end, the best of a few runs.
public struct ReadBandwidth: Sendable, Equatable {
    /// Bytes per second with t threads at index t - 1.
    public var byThreads: [Double]

    public init(byThreads: [Double]) {
        precondition(!byThreads.isEmpty)
        self.byThreads = byThreads
    }

    /// Bytes per second of `threads` threads at once (the largest count measured, beyond it).
    public func bytesPerSecond(threads: Int) -> Double { byThreads[min(max(threads, 1), byThreads.count) - 1] }

    /// The buffer's default size: 8 times the last-level cache (from
    /// /sys/devices/system/cpu/cpu0/cache, 32 MB when unknown), between 256 MB and 1 GB, and at
    /// most a quarter of the memory available now (/proc/meminfo's MemAvailable, else of the
    /// physical memory), never under 16 MB.
    public static var defaultBytes: Int {
        let cache = lastLevelCacheBytes ?? 32 << 20
        let wanted = min(max(8 * cache, 256 << 20), 1 << 30)
        let available = availableMemoryBytes ?? Int(MemoryBudget.physicalMemory)
        return max(16 << 20, min(wanted, available / 4))
    }

    /// Measures 1...`maxThreads` threads over a buffer of `bytes` bytes (rounded down to whole
    /// floats), each count the best of `repeats` runs. The buffer is allocated, filled (which
    /// also maps its pages) and freed here.
    public static func measure(maxThreads: Int, bytes: Int = defaultBytes, repeats: Int = 3) -> ReadBandwidth {
        precondition(maxThreads >= 1 && repeats >= 1 && bytes >= 4)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: bytes / 4)
        buffer.initialize(repeating: 1)
        defer { buffer.deallocate() }
        return ReadBandwidth(byThreads: (1...maxThreads).map { t in
            (0..<repeats).map { _ in run(threads: t, over: UnsafeBufferPointer(buffer)).bytesPerSecond }.max()!
        })
    }

    /// One simultaneous run over `buffer`: bytes per second over its window, the sum of every
    /// value read (slice sums added in thread order) and each thread's window.
    public static func run(threads: Int, over buffer: UnsafeBufferPointer<Float>)
        -> (bytesPerSecond: Double, sum: Float, windows: [SimultaneousRun.Window])
    {
        let n = buffer.count
        let base = Address(pointer: buffer.baseAddress!)
        let sums = ShardSums(count: threads)
        let windows = SimultaneousRun.run(threads: threads) { t in
            let lo = t * n / threads, hi = (t + 1) * n / threads
            sums.store(streamingSum(base.pointer + lo, count: hi - lo), at: t)
        }
        let sum = sums.values.reduce(0, +)
        return (Double(n * 4) / SimultaneousRun.seconds(windows), sum, windows)
    }

    /// A buffer's address, handed to the threads that read it.
    private struct Address: @unchecked Sendable { let pointer: UnsafePointer<Float> }

    /// One slot per thread for its slice's sum; each thread writes only its own.
    private final class ShardSums: @unchecked Sendable {
        private let slots: UnsafeMutableBufferPointer<Float>
        init(count: Int) { slots = .allocate(capacity: count); slots.initialize(repeating: 0) }
        deinit { slots.deallocate() }
        func store(_ v: Float, at t: Int) { slots[t] = v }
        var values: [Float] { Array(slots) }
    }

    /// The size of cpu0's highest-level cache, from sysfs (Linux); nil when unknown.
    static var lastLevelCacheBytes: Int? {
        var best: Int? = nil
        for index in 0..<8 {
            let dir = "/sys/devices/system/cpu/cpu0/cache/index\(index)/"
            guard let size = try? String(contentsOfFile: dir + "size", encoding: .utf8) else { continue }
            if let bytes = parseSize(size) { best = max(best ?? 0, bytes) }
        }
        return best
    }

    /// "32768K", "1M" or "512" (bytes) as bytes.
    static func parseSize(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let unit: Int = switch t.last { case "K": 1 << 10; case "M": 1 << 20; case "G": 1 << 30; default: 1 }
        return Int(unit == 1 ? t : String(t.dropLast())).map { $0 * unit }
    }

    /// /proc/meminfo's MemAvailable in bytes; nil when unknown.
    static var availableMemoryBytes: Int? {
        guard let info = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
              let kb = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kb * 1024
    }
}
