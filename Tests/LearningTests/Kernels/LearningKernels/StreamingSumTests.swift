import Testing
@testable import LearningKernels

/// The loop behind the bandwidth measurement returns the sum of what it read.
@Suite struct StreamingSumTests {
    /// Small integers sum exactly in float32 in any order, so the result must equal the
    /// integer sum: for lengths around the 64-float block (empty, tail only, blocks and a tail).
    @Test(arguments: [0, 1, 63, 64, 65, 1000, 4099])
    func sumsEveryValue(count: Int) {
        let values = (0..<count).map { Float(($0 * 7919) % 13) - 6 }
        let expected = (0..<count).reduce(0) { $0 + ((($1 * 7919) % 13) - 6) }
        let sum = values.withUnsafeBufferPointer { streamingSum($0.baseAddress!, count: count) }
        #expect(sum == Float(expected))
    }

    /// A value that the block loop would miss or count twice shows: one 1 at every position in turn.
    @Test func everyPositionCountsOnce() {
        var values = [Float](repeating: 0, count: 200)
        for j in values.indices {
            values[j] = 1
            let sum = values.withUnsafeBufferPointer { streamingSum($0.baseAddress!, count: 200) }
            #expect(sum == 1, "position \(j)")
            values[j] = 0
        }
    }

}
