import DataParallel
import Foundation
import Testing
@testable import Learning

/// The chunked, parallel LIBSVM parse against the serial one (the whole file as one chunk,
/// no pool): the same CSR arrays (values bit for bit), labels, feature count and line of the
/// largest index, and the same first error with the same line, for any pool and chunk size.
@Suite struct LIBSVMParallelTests {
    typealias Outcome = Result<SparseTable, LearningError>

    static let pools: [WorkerPool] = [1, 2, 3].map { try! WorkerPool(workers: $0) }
    /// Chunk sizes from "every line its own chunk" (cuts inside every token, CR and LF) to "one chunk".
    static let chunkSizes = [1, 2, 5, 23, 64, 300, 1 << 20]

    static func serial(_ bytes: [UInt8], featureCount: Int? = nil) -> Outcome {
        Result { () throws(LearningError) in
            try LIBSVMReader.parse(bytes, file: "t.svm", featureCount: featureCount, pool: nil,
                                   chunking: CSVChunking(chunkBytes: Int.max, maxChunks: 1))
        }
    }

    static func parallel(_ bytes: [UInt8], featureCount: Int? = nil, pool: WorkerPool, chunkBytes: Int) -> Outcome {
        Result { () throws(LearningError) in
            try LIBSVMReader.parse(bytes, file: "t.svm", featureCount: featureCount, pool: pool,
                                   chunking: CSVChunking(chunkBytes: chunkBytes, maxChunks: 1 << 16))
        }
    }

    static func expectSame(_ got: Outcome, _ want: Outcome, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        switch (got, want) {
        case (.failure(let g), .failure(let w)):
            #expect(g == w, "\(context): error \(g), serial \(w)", sourceLocation: sourceLocation)
        case (.success(let g), .success(let w)):
            #expect(g == w, "\(context): tables differ", sourceLocation: sourceLocation)
            #expect(g.values.map(\.bitPattern) == w.values.map(\.bitPattern), "\(context): value bits", sourceLocation: sourceLocation)
            #expect(g.largestIndexLine == w.largestIndexLine, "\(context): line of the largest index", sourceLocation: sourceLocation)
        case (.failure(let g), .success):
            Issue.record("\(context): error \(g), the serial parse succeeds", sourceLocation: sourceLocation)
        case (.success, .failure(let w)):
            Issue.record("\(context): success, the serial parse fails with \(w)", sourceLocation: sourceLocation)
        }
    }

    /// Parses `bytes` with every pool and chunk size and compares each with the serial parse.
    /// - Returns: the serial outcome.
    @discardableResult
    static func expectAllSame(_ bytes: [UInt8], featureCount: Int? = nil, _ context: String,
                              sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        let want = serial(bytes, featureCount: featureCount)
        for chunkBytes in chunkSizes {
            for pool in pools {
                let got = parallel(bytes, featureCount: featureCount, pool: pool, chunkBytes: chunkBytes)
                expectSame(got, want, "\(context), chunk \(chunkBytes) B, \(pool.workerCount) workers", sourceLocation: sourceLocation)
            }
        }
        return want
    }

    /// Generated files (CRLF, comments, qid, blank lines, tabs, a BOM, no final line end, and
    /// in half of them damage), alone and three or four glued together so that several errors
    /// fall in different chunks: the first in the file must win.
    @Test func generatedFilesParseAsTheSerialParse() {
        var rng = SplitMix64(seed: 1616)
        var failures = 0, successes = 0
        for i in 0..<120 {
            var text = LIBSVMReaderTests.generate(&rng, corrupt: i % 2 == 1)
            if i % 3 == 0 {
                for _ in 0..<(2 + rng.nextInt(below: 2)) {
                    text += (text.hasSuffix("\n") ? "" : "\n") + LIBSVMReaderTests.generate(&rng, corrupt: rng.nextInt(below: 3) == 0)
                }
            }
            switch Self.expectAllSame(Array(text.utf8), "file \(i)") {
            case .success: successes += 1
            case .failure: failures += 1
            }
        }
        // Both kinds of file were compared.
        #expect(successes > 20 && failures > 20, "\(successes) parsed, \(failures) failed")
    }

    /// 300 rows; errors at lines 151 and 271: every chunking reports line 151, and once the
    /// first is mended, line 271. The feature count limit's error is found in a late chunk too.
    @Test func theFirstErrorInFileOrderWins() throws {
        func rows(_ bad: [Int: String]) -> [UInt8] {
            var text = ""
            for line in 1...300 {
                text += bad[line] ?? "\(line % 3) 1:\(line) \(line % 50 + 2):0.5 # row \(line)"
                text += line % 7 == 0 ? "\r\n" : "\n"
            }
            return Array(text.utf8)
        }
        let twoErrors = Self.expectAllSame(rows([151: "1 4:1 3:1", 271: "2 0:5"]), "two errors")
        #expect(throws: LearningError.data(file: "t.svm", line: 151,
                                           message: "feature index 3 comes after 4: indices must increase along a row")) {
            try twoErrors.get()
        }
        let late = Self.expectAllSame(rows([271: "2 0:5"]), "one late error")
        #expect(throws: LearningError.data(file: "t.svm", line: 271, message: "feature index 0 in '0:5': indices start at 1")) {
            try late.get()
        }
        let above = Self.expectAllSame(rows([280: "1 1:1 60:1"]), featureCount: 51, "above the limit")
        #expect(throws: LearningError.data(file: "t.svm", line: 280, message: "feature index 60 is above the 51 features expected")) {
            try above.get()
        }
        let fine = try Self.expectAllSame(rows([:]), "no error").get()
        #expect(fine.count == 300 && fine.featureCount == 51)
        #expect(fine.largestIndexLine == 49)  // the first row whose second index is 49 % 50 + 2 = 51
    }

    /// Files without rows, a BOM alone, a lone CR, and rows split at every byte.
    @Test func edgeFilesParseAsTheSerialParse() {
        let texts = ["", "\n", "\u{FEFF}", "\u{FEFF}1 1:1", "1", "1\r", "1 1:1\r\n\r\n", "# only\n#\n", "\n\n1 2:3",
                     "1 qid:3 2:1\n2 qid:x 1:1\n", "a 1:1\r\nb\t2:2\t# c\r\nc 3:3", "1 1:1\n\r\n\t\n2 5:1e-3\n3 1:1 2:2 2:3"]
        for (i, text) in texts.enumerated() { Self.expectAllSame(Array(text.utf8), "text \(i) \(text.debugDescription)") }
    }

    /// A file over two standard chunks (1 MiB) read from disk with the default pool is the
    /// serial parse of its bytes.
    @Test func largeFilesReadInParallelAsSerially() throws {
        var rng = SplitMix64(seed: 77)
        var text = ""
        var line = 0
        while text.utf8.count < 3 * CSVChunking.standard.chunkBytes {
            line += 1
            text += "\(rng.nextInt(below: 5))"
            var index = 0
            for _ in 0..<rng.nextInt(below: 40) {
                index += 1 + rng.nextInt(below: 5000)
                text += " \(index):\(rng.nextInt(below: 9) + 1)"
            }
            text += "\n"
        }
        let dir = TempFolder()
        defer { dir.cleanup() }
        let path = dir.write("big.svm", text)
        let got = try LIBSVMReader.read(path: path, pool: try WorkerPool(workers: 2))
        let want = try LIBSVMReader.parse(Array(text.utf8), file: path, featureCount: nil, pool: nil,
                                          chunking: CSVChunking(chunkBytes: Int.max, maxChunks: 1))
        #expect(got == want && got.count == line)
    }
}
