import Foundation
import Testing
@testable import Learning

@Suite struct HugePagesTests {
    @Test func arraysHoldWhatTheirFillWrote() {
        let a = floatsOnHugePages(count: 5_000_000) { out in
            for i in 0..<out.count { out[i] = Float(i % 1000) - 0.5 }
        }
        #expect(a.count == 5_000_000)
        #expect(a[0] == -0.5 && a[999] == 998.5 && a[4_999_999] == 998.5)
        let z = zerosOnHugePages(count: 3_000_001)
        #expect(z.count == 3_000_001 && z.allSatisfy { $0 == 0 })
        #expect(zerosOnHugePages(count: 0).isEmpty)
    }

    @Test func subsetAndRemovedColumnKeepTheRows() {
        let d = 3, n = 7
        let f = (0..<(n * d)).map { Float($0) }
        let data = Dataset(features: f, labels: (0..<n).map { Int32($0 % 2) }, classes: ["a", "b"],
                           featureNames: ["x", "y", "z"])
        let s = data.subset([6, 0, 3])
        #expect(s.features == [18, 19, 20, 0, 1, 2, 9, 10, 11])
        #expect(s.labels == [0, 0, 1])
        let table = LabeledTable(features: f, labels: (0..<n).map { "\($0 % 2)" }, featureNames: ["x", "y", "z"], file: "t.npy")
        let (kept, column) = table.removingColumn(1)
        let wantColumn: [Float] = (0..<n).map { Float($0 * d + 1) }
        var wantKept: [Float] = []
        for r in 0..<n { wantKept += [Float(r * d), Float(r * d + 2)] }
        #expect(column == wantColumn)
        #expect(kept.features == wantKept)
        #expect(kept.featureNames == ["x", "z"])
    }

    /// Where transparent huge pages may be used, a large data array ends up on them: the
    /// mapping that holds it reports huge-page memory in /proc/self/smaps.
    @Test func largeArraysLandOnHugePages() throws {
        guard let mode = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8),
              !mode.contains("[never]"),
              FileManager.default.isReadableFile(atPath: "/proc/self/smaps")
        else { return }  // not Linux, or huge pages switched off: nothing to observe
        // 64 MB: above glibc's largest dynamic mmap threshold (32 MB), so the array is a fresh
        // mapping. A smaller one can reuse heap memory that earlier tests in this process
        // already faulted in with 4 KB pages, which the advice does not convert (the test
        // failed that way once in a full run).
        let a = zerosOnHugePages(count: 16 << 20)
        // A point well inside: the advice splits the mapping, and only whole 2 MB blocks get it.
        let address = a.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress!) } + (8 << 20)
        // Read to the end: /proc files report size 0, and a sized read stops after one page.
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps"))
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        var inside = false
        var hugeKB: Int? = nil
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = bounds.count == 2 && bounds[0] <= address && address < bounds[1]
            } else if inside, fields.first == "AnonHugePages:", fields.count >= 2 {
                hugeKB = Int(fields[1])
            }
        }
        let kb = try #require(hugeKB, "no mapping in /proc/self/smaps holds the array")
        #expect(kb >= 2048, "the 64 MB array's mapping has \(kb) kB on huge pages")
        #expect(a.allSatisfy { $0 == 0 })
    }
}
