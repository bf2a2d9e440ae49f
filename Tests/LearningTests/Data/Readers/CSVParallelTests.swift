import DataParallel
import Foundation
import Testing
@testable import Learning

/// The fast, chunked, parallel CSV parser against the serial parser it replaced
/// (``CSVSerialReference``): the same values (bit for bit), labels and names, and the same
/// first error with the same line, for any pool and any chunk size.
@Suite struct CSVParallelTests {
    typealias Outcome = Result<LabeledTable, LearningError>

    static let pools: [WorkerPool] = [1, 2, 3].map { try! WorkerPool(workers: $0) }
    /// Chunk sizes from "every line its own chunk" to "one chunk".
    static let chunkSizes = [1, 5, 23, 64, 300, 1 << 20]

    static func reference(_ bytes: [UInt8], label: String?, requireLabel: Bool = true) -> Outcome {
        Result { () throws(LearningError) in
            try CSVSerialReference.parse(bytes, file: "t.csv", labelColumn: label, requireLabel: requireLabel)
        }
    }

    static func fast(_ bytes: [UInt8], label: String?, requireLabel: Bool = true, pool: WorkerPool?, chunkBytes: Int) -> Outcome {
        Result { () throws(LearningError) in
            try CSVReader.parse(bytes, file: "t.csv", labelColumn: label, requireLabel: requireLabel, pool: pool,
                                chunking: CSVChunking(chunkBytes: chunkBytes, maxChunks: 1 << 16))
        }
    }

    /// Records an issue unless the two outcomes are the same: equal errors, or tables with the
    /// same feature bits, labels, names and file.
    static func expectSame(_ got: Outcome, _ want: Outcome, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        switch (got, want) {
        case (.failure(let g), .failure(let w)):
            #expect(g == w, "\(context): error \(g), serial \(w)", sourceLocation: sourceLocation)
        case (.success(let g), .success(let w)):
            #expect(g.featureNames == w.featureNames, "\(context): names", sourceLocation: sourceLocation)
            #expect(g.labels == w.labels, "\(context): labels", sourceLocation: sourceLocation)
            #expect(g.file == w.file, sourceLocation: sourceLocation)
            #expect(g.features.map(\.bitPattern) == w.features.map(\.bitPattern), "\(context): features", sourceLocation: sourceLocation)
        case (.failure(let g), .success):
            Issue.record("\(context): error \(g), the serial parser succeeds", sourceLocation: sourceLocation)
        case (.success, .failure(let w)):
            Issue.record("\(context): success, the serial parser fails with \(w)", sourceLocation: sourceLocation)
        }
    }

    /// Parses `bytes` with every pool and chunk size and compares each with the serial parser.
    static func expectAllSame(_ bytes: [UInt8], label: String?, requireLabel: Bool = true, _ context: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        let want = reference(bytes, label: label, requireLabel: requireLabel)
        for chunkBytes in chunkSizes {
            for pool in pools {
                let got = fast(bytes, label: label, requireLabel: requireLabel, pool: pool, chunkBytes: chunkBytes)
                expectSame(got, want, "\(context), chunk \(chunkBytes) B, \(pool.workerCount) workers", sourceLocation: sourceLocation)
            }
        }
    }

    // MARK: - Generated files

    /// The shape of a generated file.
    struct Shape {
        var features = 3
        /// Where the label column goes (0...features), nil for none.
        var labelAt: Int? = 1
        var rows = 100
        var crlf = false
        var mixedLineEnds = false
        var bom = false
        var blankLines = 0.0
        var leadingBlankLines = 0
        var trailingNewline = true
        var stringLabels = false
        /// Cells that are not small integers: decimals, exponents, signs, spaces, long digits.
        var fancyCells = 0.0
        /// The fraction of fields (header names, numbers, labels) written in double quotes.
        var quoted = 0.0
    }

    static func randomShape(_ rng: inout SplitMix64) -> Shape {
        var s = Shape()
        s.features = 1 + rng.nextInt(below: 6)
        s.labelAt = rng.nextInt(below: 6) == 0 ? nil : rng.nextInt(below: s.features + 1)
        s.rows = [0, 1, 2, 5, 40, 150, 400][rng.nextInt(below: 7)]
        s.crlf = rng.nextInt(below: 3) == 0
        s.mixedLineEnds = rng.nextInt(below: 6) == 0
        s.bom = rng.nextInt(below: 4) == 0
        s.blankLines = [0, 0, 0.02, 0.2][rng.nextInt(below: 4)]
        s.leadingBlankLines = rng.nextInt(below: 4) == 0 ? rng.nextInt(below: 3) : 0
        s.trailingNewline = rng.nextInt(below: 3) != 0
        s.stringLabels = rng.nextInt(below: 2) == 0
        s.fancyCells = [0, 0.1, 0.5, 1][rng.nextInt(below: 4)]
        s.quoted = [0, 0, 0.05, 0.5, 1][rng.nextInt(below: 5)]
        return s
    }

    static let fancyCells = ["-1.25", "3.14159", " 7 ", "\t8", "9\t", "+4", "1.", ".5", "-.5", "007", "-0", "1e5", "2.5E-3",
                             "0.1234567891234", "1e-30", "16777217", "123456789012", "3.4e38", "1e-45", "0.000001",
                             "6.02e23", "-273.15", "1.17549435e-38", "99999999", " -2.5e+2 "]
    static let stringLabels = ["cat", "dog", "bird", " spaced ", "a b", "\tt", "ünï", "\u{A0}nb\u{A0}", "x\u{2003}", "日本"]
    /// Labels that only fit in a CSV field when quoted (a comma), or that hold quotes.
    static let quotedLabels = ["x, y", "say \"hi\"", ",", "\"", " \"a\",b ", "日本, 語", "a\"b"]

    /// `field` in double quotes ("" for a quote inside), sometimes with spaces around them:
    /// spaces before the opening quote are dropped, text after the closing one is kept.
    static func quote(_ field: String, _ rng: inout SplitMix64) -> String {
        let q = "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        switch rng.nextInt(below: 6) {
        case 0: return "  " + q
        case 1: return q + " "
        default: return q
        }
    }

    static func cell(_ rng: inout SplitMix64, _ shape: Shape) -> String {
        if shape.fancyCells > 0 && rng.nextUnit() < shape.fancyCells {
            if rng.nextInt(below: 3) == 0 {
                // A random valid decimal (the generated files should mostly parse).
                while true {
                    let t = FloatParsingTests.randomDecimal(&rng)
                    if let v = Float(t), v.isFinite, !t.contains(" "), !t.contains("x") { return t }
                }
            }
            return fancyCells[rng.nextInt(below: fancyCells.count)]
        }
        return rng.nextInt(below: 5) == 0 ? String(1 + rng.nextInt(below: 255)) : "0"
    }

    /// A file of `shape`, and its label column's name (nil when it has none).
    static func generate(_ shape: Shape, _ rng: inout SplitMix64, row: ((Int, inout [String]) -> Void)? = nil) -> [UInt8] {
        var names = (0..<shape.features).map { "f\($0)" }
        if let at = shape.labelAt { names.insert("label", at: at) }
        if shape.quoted > 0 {
            names = names.map { rng.nextUnit() < shape.quoted ? quote($0, &rng) : $0 }
        }
        func lineEnd(_ rng: inout SplitMix64) -> String {
            if shape.mixedLineEnds { return rng.nextInt(below: 2) == 0 ? "\r\n" : "\n" }
            return shape.crlf ? "\r\n" : "\n"
        }
        var text = shape.bom ? "\u{FEFF}" : ""
        for _ in 0..<shape.leadingBlankLines { text += ["", " ", "\t"][rng.nextInt(below: 3)] + lineEnd(&rng) }
        text += names.joined(separator: ",")
        for r in 0..<shape.rows {
            text += lineEnd(&rng)
            while shape.blankLines > 0 && rng.nextUnit() < shape.blankLines {
                text += ["", " ", "\t", "  \t "][rng.nextInt(below: 4)] + lineEnd(&rng)
            }
            var fields = (0..<shape.features).map { _ in cell(&rng, shape) }
            if shape.quoted > 0 {
                fields = fields.map { rng.nextUnit() < shape.quoted ? quote($0, &rng) : $0 }
            }
            if let at = shape.labelAt {
                var label = shape.stringLabels ? stringLabels[rng.nextInt(below: stringLabels.count)] : String(rng.nextInt(below: 10))
                if shape.quoted > 0 && shape.stringLabels && rng.nextInt(below: 4) == 0 {
                    label = quote(quotedLabels[rng.nextInt(below: quotedLabels.count)], &rng)
                } else if rng.nextUnit() < shape.quoted {
                    label = quote(label, &rng)
                }
                fields.insert(label, at: at)
            }
            row?(r, &fields)
            text += fields.joined(separator: ",")
        }
        if shape.trailingNewline { text += lineEnd(&rng) }
        return Array(text.utf8)
    }

    @Test func generatedFilesParseAsTheSerialParserDoes() {
        var rng = SplitMix64(seed: 42)
        var parsed = 0
        for i in 0..<150 {
            let shape = Self.randomShape(&rng)
            let bytes = Self.generate(shape, &rng)
            let label: String? = shape.labelAt == nil ? nil : "label"
            if case .success = Self.reference(bytes, label: label, requireLabel: label != nil) { parsed += 1 }
            Self.expectAllSame(bytes, label: label, requireLabel: label != nil, "file \(i) \(shape)")
        }
        // Most generated files are valid, so values are compared, not only errors.
        #expect(parsed > 100)
    }

    @Test func edgeCasesOfLinesAndEnds() {
        let texts = [
            "a,label\n1,x",  // no final line end
            "a,label\n1,x\r",  // CR at the end of the file
            "a,label\r\n1,x\r\n\r\n",
            "\u{FEFF}a,label\n1,x\n",
            "\n\n  \t\na,label\n\n1,x\n \n2,y\n\t",
            "a,label\n1,x\r\r\n",  // a CR left in the last field
            "a,label\n1\r,x\n",
            "a,label\n1,x\n\u{FEFF}2,y\n",  // a BOM is only skipped at the file start
            "a,label\n1,x\n\r\n",  // a line of a lone CR is blank
            "a,label\n1,x\n\r\r\n",  // a line of two CRs is not
            "a,label\n1,x\n\u{0B}\n",
            "a,label\n1,\u{A0}\n",  // a label of a no-break space only is empty
            "a,label\n \u{A0}1,x\n",
            "a,label\n1,x,\n",
            "a,label\n1\n",
            "a,label\n,\n",
            "a,label\n1,x\n2,y,z\n3\n",
            "a , label \n 1 , x \n",
            "a,label\n-0,x\n+0,y\n",
            "a,b\n1,2\n3,4\n",
            "label,a\n\"1\",2\n",  // quotes: the label column quoted
            "a,label\n\"1,5\",x\n",
            "a,label\n1,\"x\"\n\"2\", y\n\"3\"\"\",z\n",
            "a,label\n1,x\n\"2,y\n",
            // More quotes: every field, spaces around them, escapes, quotes inside a field.
            "\"a\",\"label\"\r\n\"1.5\",\"x\"\r\n\"-2e3\",\"y, z\"\r\n\r\n",
            "a,label\n  \"1\"  ,x\n \" 2 \",\"  y \"\n",
            "a,label\n\t\"1\",x\n",  // a tab before a quote: the quote is text
            "a,label\n\"1\"x,y\n",  // text after the closing quote stays
            "a,label\n1,\"x\"y\"z\"\n",
            "a,label\n1,x\"y\n",  // a quote inside an unquoted field is text
            "a,label\n\"1\"\",x\n",  // "" inside quotes: the field runs on, unclosed
            "a,label\n\"\",x\n",  // an empty quoted number
            "a,label\n1,\"\"\n",  // an empty quoted label
            "a,label\n1,\" \"\n",
            "a,label\n1,\"a\"\"b\"\n\"2\",\"\"\"\"\n",
            "a,label\n\"1\",\"x\",\n",  // one field too many
            "a,label\n\"1\"\n",  // one too few
            "a,label\n\"1,2\",x\n",
            "a,label\n1,\"x\r\n",
            "a,label\n1,\"x\ny\"\n2,z\n",  // a line end inside quotes
            "a,label\n\"1e50\",x\n",
            "a,label\n\"nan\",x\n",
            "a,label\n\"0x1p3\",x\n",
            "a,b,label\n\"1\",2,\"日本, 語\"\n3,\"4\",\"\u{A0}q\u{A0}\"\n",
            "\u{FEFF}\"a\",\"label\"\n1,\"x\"",  // no final line end
            "\"a\",\"label\"\n",
            "a,label\n\u{FEFF}",
            "a,label",
            "",
            "\u{FEFF}",
        ]
        for text in texts {
            Self.expectAllSame(Array(text.utf8), label: "label", "\(text.debugDescription)")
            Self.expectAllSame(Array(text.utf8), label: "label", requireLabel: false, "\(text.debugDescription), label optional")
            Self.expectAllSame(Array(text.utf8), label: nil, requireLabel: false, "\(text.debugDescription), no label")
        }
        // Invalid UTF-8 in a label and in a number.
        let bytes: [UInt8] = Array("a,label\n1,".utf8) + [0xFF, 0xC3] + Array("\n2".utf8) + [0xC3] + Array(",y\n".utf8)
        Self.expectAllSame(bytes, label: "label", "invalid UTF-8")
    }

    // MARK: - Errors

    /// Bad rows: (replacement fields for a 3-column row f0,label,f1).
    static let badRows: [[String]] = [
        ["abc", "x", "1"], ["1", "x", ""], ["nan", "x", "1"], ["1", "x", "-inf"], ["1e50", "x", "2"],
        ["0x10", "x", "1"], ["1", "", "2"], ["1", "x"], ["1", "x", "2", "3"], ["1", " ", "2"],
        ["1 2", "x", "3"], ["1\r", "x", "2"], ["1,5"], ["1", "x", "3.4028236e38"], ["1", "x", "1e"],
    ]

    static func fileWithBadRows(_ bad: [(row: Int, fields: [String])], rows: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var shape = Shape()
        shape.features = 2
        shape.labelAt = 1
        shape.rows = rows
        shape.blankLines = 0.05
        shape.fancyCells = 0.1
        return generate(shape, &rng) { r, fields in
            for b in bad where b.row == r { fields = b.fields }
        }
    }

    @Test func aBadRowGivesTheSerialErrorInWhicheverChunkItFalls() {
        for (k, bad) in Self.badRows.enumerated() {
            for row in [0, 1, 37, 150, 298, 299] {
                let bytes = Self.fileWithBadRows([(row, bad)], rows: 300, seed: UInt64(k * 1000 + row))
                let want = Self.reference(bytes, label: "label")
                guard case .failure = want else {
                    Issue.record("bad row \(bad) at \(row) parses serially")
                    continue
                }
                Self.expectAllSame(bytes, label: "label", "bad row \(bad) at row \(row)")
            }
        }
    }

    @Test func ofTwoBadRowsInDifferentChunksTheFirstIsReported() throws {
        var rng = SplitMix64(seed: 99)
        for trial in 0..<40 {
            let a = rng.nextInt(below: 250), b = a + 1 + rng.nextInt(below: 49)
            let badA = Self.badRows[rng.nextInt(below: Self.badRows.count)]
            let badB = Self.badRows[rng.nextInt(below: Self.badRows.count)]
            let bytes = Self.fileWithBadRows([(a, badA), (b, badB)], rows: 300, seed: UInt64(trial))
            let onlyA = Self.fileWithBadRows([(a, badA)], rows: 300, seed: UInt64(trial))
            // The first bad row decides: the same error as the file with only that row bad.
            let want = Self.reference(onlyA, label: "label")
            guard case .failure(let first) = want else {
                Issue.record("bad row \(badA) parses serially")
                continue
            }
            Self.expectSame(Self.reference(bytes, label: "label"), want, "serial, trial \(trial)")
            // Repeat so that different schedules get a chance to finish the later chunk first.
            for _ in 0..<3 {
                for pool in Self.pools {
                    for chunkBytes in [1, 40, 200] {
                        Self.expectSame(Self.fast(bytes, label: "label", pool: pool, chunkBytes: chunkBytes), .failure(first),
                                        "trial \(trial): rows \(a) \(badA) and \(b) \(badB), chunk \(chunkBytes), \(pool.workerCount) workers")
                    }
                }
            }
        }
    }

    @Test func errorLinesCountBlankLinesCRLFAndTheBOM() throws {
        // Line 1 BOM + header, 2 blank, 3 CRLF row, 4 spaces, 5 row, 6 tab, 7 bad row.
        let text = "\u{FEFF}a,label\r\n\r\n1,x\r\n   \n2,y\n\t\n3,\n4,z\n"
        for chunkBytes in Self.chunkSizes {
            for pool in Self.pools {
                let got = Self.fast(Array(text.utf8), label: "label", pool: pool, chunkBytes: chunkBytes)
                #expect(throws: LearningError.data(file: "t.csv", line: 7, message: "the label is empty")) { try got.get() }
            }
        }
    }

    // MARK: - Files on disk

    /// A temporary file removed when the test ends.
    static func withTemporaryFile<T>(_ bytes: [UInt8], _ body: (String) throws -> T) throws -> T {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("csv-parallel-\(UInt64.random(in: 0...UInt64.max)).csv").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    @Test func largeFilesReadInParallelAsSerially() throws {
        var rng = SplitMix64(seed: 5)
        var shape = Shape()
        shape.features = 40
        shape.labelAt = 17
        shape.rows = 20_000  // a few MB: several standard chunks
        shape.blankLines = 0.001
        shape.fancyCells = 0.05
        shape.crlf = true
        let bytes = Self.generate(shape, &rng)
        #expect(bytes.count > 2 << 20)
        // The new parser in one chunk on one thread stands in for the (slow) serial reference
        // here; the tests above check it against the reference.
        let one = CSVChunking(chunkBytes: Int.max, maxChunks: 1)
        let want = Result { () throws(LearningError) in
            try CSVReader.parse(bytes, file: "t.csv", labelColumn: "label", requireLabel: true, pool: Self.pools[0], chunking: one)
        }
        try Self.withTemporaryFile(bytes) { path in
            for pool in [nil] + Self.pools {
                let got = Result { () throws(LearningError) in try CSVReader.read(path: path, label: "label", pool: pool) }
                expectSameTable(got, try want.get(), path: path)
            }
            // readForModel: columns in another order.
            let table = try want.get()
            let order = table.featureNames.reversed() as [String]
            let m = try CSVReader.readForModel(path: path, featureNames: order, label: "label", pool: Self.pools[1])
            #expect(m.count == table.count && m.labels == table.labels)
            let d = order.count
            var reordered = [Float](repeating: 0, count: table.count * d)
            for r in 0..<table.count { for j in 0..<d { reordered[r * d + j] = table.features[r * d + (d - 1 - j)] } }
            #expect(m.features.map(\.bitPattern) == reordered.map(\.bitPattern))
        }
        // A bad cell deep in the file.
        var bad = bytes
        let at = bad.count * 3 / 4
        let lineStart = bad[..<at].lastIndex(of: 0x0A)! + 1
        bad.replaceSubrange(lineStart..<lineStart + 1, with: Array("q".utf8))
        let line = bad[..<lineStart].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        let wantBad = Result { () throws(LearningError) in
            try CSVReader.parse(bad, file: "t.csv", labelColumn: "label", requireLabel: true, pool: Self.pools[0], chunking: one)
        }
        guard case .failure(let wantError) = wantBad else { Issue.record("no error"); return }
        guard case .data(_, let errorLine, _) = wantError else { Issue.record("\(wantError)"); return }
        #expect(errorLine == line)
        try Self.withTemporaryFile(bad) { path in
            // read names every bad column (here the one) with what to set, from the serial error.
            let named = CSVReader.everyColumnProblem(wantError.relabelled(file: path), bytes: bad, file: path, label: "label",
                                                     weight: nil, featureNames: nil)
            guard case .data(_, let namedLine, let message) = named else { Issue.record("\(named)"); return }
            #expect(namedLine == line)
            #expect(message.hasPrefix("column 'f0' value 'q' is not a number; list the column in data.categorical"), "\(message)")
            for pool in [nil] + Self.pools {
                #expect(throws: named) { try CSVReader.read(path: path, label: "label", pool: pool) }
            }
        }
    }

    @Test func largeQuotedFilesReadInParallelAsSerially() throws {
        // Quoted header names, labels with commas and quoted numbers, as R's write.csv and
        // Python's csv.QUOTE_NONNUMERIC or QUOTE_ALL write them.
        var rng = SplitMix64(seed: 8)
        var shape = Shape()
        shape.features = 30
        shape.labelAt = 0
        shape.rows = 12_000
        shape.stringLabels = true
        shape.quoted = 0.3
        shape.crlf = true
        shape.bom = true
        shape.blankLines = 0.001
        let bytes = Self.generate(shape, &rng)
        #expect(bytes.count > 2 * CSVChunking.standard.chunkBytes)
        let one = CSVChunking(chunkBytes: Int.max, maxChunks: 1)
        let want = try CSVReader.parse(bytes, file: "t.csv", labelColumn: "label", requireLabel: true, pool: Self.pools[0],
                                       chunking: one)
        #expect(want.count == 12_000 && want.labels.contains("x, y"))
        // The serial reference on a slice of the file (it is slow).
        let head = Array(bytes.prefix(upTo: bytes.indices.filter { bytes[$0] == 0x0A }[500] + 1))
        Self.expectAllSame(head, label: "label", "first 500 rows")
        try Self.withTemporaryFile(bytes) { path in
            for pool in [nil] + Self.pools {
                let got = Result { () throws(LearningError) in try CSVReader.read(path: path, label: "label", pool: pool) }
                expectSameTable(got, want, path: path)
            }
        }
    }

    @Test func largeFilesAreReadInParallelPiecesByteForByte() throws {
        // Over two 4 MB read pieces, and not a multiple of anything.
        var rng = SplitMix64(seed: 11)
        let bytes = (0..<(9 << 20) + 12_345).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try Self.withTemporaryFile(bytes) { path in
            for pool in [nil] + Self.pools {
                let read = try CSVReader.readFile(path, pool: pool)
                #expect(read == bytes)
            }
        }
        #expect(throws: LearningError.data(file: "/no/such/file.csv", line: nil, message: "no such file")) {
            try CSVReader.readFile("/no/such/file.csv", pool: Self.pools[1])
        }
        let folder = FileManager.default.temporaryDirectory.path
        #expect(throws: LearningError.data(file: folder, line: nil, message: "is a folder, not a data file")) {
            try CSVReader.readFile(folder, pool: Self.pools[1])
        }
    }

    @Test func anObserverHearsOfEveryStepReadAndTheBytesAreTheSame() throws {
        // 9 MB + 12,345 bytes in steps of 4 MB: three reports, the last at the file's size.
        var rng = SplitMix64(seed: 12)
        let bytes = (0..<(9 << 20) + 12_345).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        final class Reports: @unchecked Sendable {
            let lock = NSLock()
            var seen: [FileReadProgress] = []
            func add(_ p: FileReadProgress) { lock.lock(); seen.append(p); lock.unlock() }
        }
        try Self.withTemporaryFile(bytes) { path in
            for pool in [nil] + Self.pools {
                let reports = Reports()
                let read = try FileReading.$onProgress.withValue({ reports.add($0) }) {
                    try CSVReader.readFile(path, pool: pool, progressStep: 4 << 20)
                }
                #expect(read == bytes)
                #expect(reports.seen.map(\.bytesRead) == [4 << 20, 8 << 20, bytes.count])
                #expect(reports.seen.allSatisfy { $0.totalBytes == bytes.count && $0.file == path })
            }
            // Without an observer nothing is reported and the file is read in one go.
            #expect(try CSVReader.readFile(path, pool: Self.pools[1], progressStep: 4 << 20) == bytes)
        }
    }

    func expectSameTable(_ got: Outcome, _ want: LabeledTable, path: String) {
        var w = want
        w.file = path
        Self.expectSame(got, .success(w), path)
    }
}

extension LearningError {
    /// The same error naming another file.
    func relabelled(file: String) -> LearningError {
        if case .data(_, let line, let message) = self { return .data(file: file, line: line, message: message) }
        return self
    }
}
