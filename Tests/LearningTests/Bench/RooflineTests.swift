import Testing
@testable import Learning

@Suite struct RooflineTests {
    /// W1 by hand: 4 n d K FLOPs = 4 x 60000 x 784 x 10 = 1.8816e9; bytes 4 n d + 8 n + 8 P
    /// with P = 10 x 785 = 7850: 188,160,000 + 480,000 + 62,800 = 188,702,800.
    @Test func theWorkloadsFiguresByHand() {
        #expect(BenchmarkWorkload.w1.flopsPerEpoch == 1.8816e9)
        #expect(BenchmarkWorkload.w1.parameterCount == 7850)
        #expect(BenchmarkWorkload.w1.bytesPerEpoch == 188_702_800)
        // W3, 784-128-10: P = 785 x 128 + 129 x 10 = 101,770.
        #expect(BenchmarkWorkload.w3.parameterCount == 101_770)
        #expect(BenchmarkWorkload.w3.bytesPerEpoch == 188_160_000 + 480_000 + 814_160)
    }

    /// At 100 GFLOP/s and 20 GB/s, W1's FLOPs take 18.816 ms and its bytes 9.43514 ms: the
    /// bound is the compute time. At 5 GB/s the bytes take 37.74056 ms and set the bound.
    @Test func theBoundIsTheLongerOfTheTwoTimes() {
        let w = BenchmarkWorkload.w1
        let fast = Roofline(flops: w.flopsPerEpoch, bytes: w.bytesPerEpoch, peakFlops: 100e9, bandwidth: 20e9)
        #expect(abs(fast.computeSeconds - 0.018816) < 1e-12)
        #expect(abs(fast.memorySeconds - 0.00943514) < 1e-12)
        #expect(fast.boundSeconds == fast.computeSeconds && fast.limit == .compute)
        // An epoch of 37.632 ms reached half the bound.
        #expect(abs(fast.fractionReached(seconds: 0.037632) - 0.5) < 1e-12)

        let slow = Roofline(flops: w.flopsPerEpoch, bytes: w.bytesPerEpoch, peakFlops: 100e9, bandwidth: 5e9)
        #expect(abs(slow.boundSeconds - 0.03774056) < 1e-12)
        #expect(slow.limit == .memory)
        #expect(abs(slow.fractionReached(seconds: 0.07548112) - 0.5) < 1e-12)
    }

    /// A run's roofline takes the ceilings of its own thread count; counts past the last
    /// measured one take the last.
    @Test func theCeilingsFollowTheWorkerCount() {
        let peak = PeakFlops(byThreads: [100e9, 190e9])
        let read = ReadBandwidth(byThreads: [10e9, 16e9])
        let two = Roofline(.w1, workers: 2, peak: peak, read: read)
        #expect(two.peakFlops == 190e9 && two.bandwidth == 16e9)
        #expect(abs(two.boundSeconds - max(1.8816e9 / 190e9, 188_702_800 / 16e9)) < 1e-15)
        let one = Roofline(.w1, workers: 1, peak: peak, read: read)
        #expect(one.peakFlops == 100e9 && one.bandwidth == 10e9)
        #expect(peak.flops(threads: 5) == 190e9 && read.bytesPerSecond(threads: 0) == 10e9)
    }
}

@Suite struct MachineCeilingTests {
    /// No thread starts its body before every thread has arrived at the barrier.
    @Test(arguments: [1, 2, 3, 5])
    func everyThreadStartsAfterTheLastArrival(threads: Int) {
        let windows = SimultaneousRun.run(threads: threads) { t in
            var x = 0.0
            for i in 0..<(10_000 * (t + 1)) { x += Double(i) }
            precondition(x >= 0)
        }
        #expect(windows.count == threads)
        let lastArrival = windows.map(\.arrived).max()!
        for w in windows { #expect(w.start >= lastArrival && w.end >= w.start) }
    }

    /// Two threads of the FMA loop run at the same time: each starts before the other ends.
    @Test func thePeaksThreadsOverlap() {
        let (flops, windows) = PeakFlops.run(threads: 2, iterations: 20_000_000)
        #expect(windows.count == 2)
        #expect(windows.map(\.start).max()! < windows.map(\.end).min()!, "\(windows)")
        #expect(flops > 0 && flops.isFinite)
    }

    /// The bandwidth run reads every value: the slice sums add up to the buffer's sum, for
    /// any thread count (small integers, so float32 sums them exactly in any order).
    @Test(arguments: [1, 2, 3, 7])
    func theBandwidthSumIsTheBuffersSum(threads: Int) {
        let values = (0..<100_003).map { Float($0 % 5) }
        let expected = (0..<100_003).reduce(0) { $0 + $1 % 5 }
        let run = values.withUnsafeBufferPointer { ReadBandwidth.run(threads: threads, over: $0) }
        #expect(run.sum == Float(expected))
        #expect(run.windows.count == threads && run.bytesPerSecond > 0)
    }

    @Test func measuringGivesOneFigurePerThreadCount() {
        let peak = PeakFlops.measure(maxThreads: 2, repeats: 1, iterations: 10_000)
        let read = ReadBandwidth.measure(maxThreads: 3, bytes: 1 << 20, repeats: 1)
        #expect(peak.byThreads.count == 2 && peak.byThreads.allSatisfy { $0 > 0 })
        #expect(read.byThreads.count == 3 && read.byThreads.allSatisfy { $0 > 0 })
    }

    @Test func cacheSizesAsSysfsWritesThem() {
        #expect(ReadBandwidth.parseSize("32768K\n") == 32 << 20)
        #expect(ReadBandwidth.parseSize("1M") == 1 << 20)
        #expect(ReadBandwidth.parseSize("512") == 512)
        #expect(ReadBandwidth.parseSize("big") == nil)
        let d = ReadBandwidth.defaultBytes
        #expect(d >= 16 << 20 && d <= 1 << 30)
    }
}
