import Foundation
import Testing
@testable import Learning

@Suite struct LIBSVMReaderTests {
    static func parse(_ text: String, featureCount: Int? = nil) throws(LearningError) -> SparseTable {
        try LIBSVMReader.parse(Array(text.utf8), file: "t.svm", featureCount: featureCount)
    }

    static func error(_ text: String, featureCount: Int? = nil) -> (line: Int?, message: String)? {
        do {
            _ = try parse(text, featureCount: featureCount)
            return nil
        } catch {
            if case .data(let file, let line, let message) = error, file == "t.svm" { return (line, message) }
            return nil
        }
    }

    @Test func readsRowsIntoCSR() throws {
        let t = try Self.parse("+1 1:0.5 3:-2 10:1e3\n-1 2:7\n0\n+1 qid:4 1:1 4:0 # a comment\n")
        #expect(t.labels == ["+1", "-1", "0", "+1"])
        #expect(t.rowOffsets == [0, 3, 4, 4, 6])
        #expect(t.columns == [0, 2, 9, 1, 0, 3])
        #expect(t.values == [0.5, -2, 1000, 7, 1, 0])
        #expect(t.featureCount == 10 && t.count == 4 && t.file == "t.svm")
        #expect(Array(t.row(0).columns) == [0, 2, 9] && Array(t.row(2).values) == [])
    }

    @Test func acceptsCommentsBlankLinesTabsCRLFAndABOM() throws {
        let text = "\u{FEFF}# a header comment\r\n\r\n  \t\ncat\t1:1  2:2 \t\r\n# another\ndog 3:3#no space before it\r\n\t \nbird 1:4"
        let t = try Self.parse(text)
        #expect(t.labels == ["cat", "dog", "bird"])
        #expect(t.columns == [0, 1, 2, 0] && t.values == [1, 2, 3, 4] && t.rowOffsets == [0, 2, 3, 4])
        #expect(t.featureCount == 3)
    }

    @Test func theExpectedFeatureCountIsALimitAndTheCount() throws {
        #expect(try Self.parse("1 2:1\n", featureCount: 5).featureCount == 5)
        let e = try #require(Self.error("1 2:1\n2 6:1\n", featureCount: 5))
        #expect(e.line == 2 && e.message.contains("above the 5 features"), "\(e)")
    }

    @Test(arguments: [
        ("1 0:1\n", 1, "index 0"),
        ("1 1:1\n1 3:1 2:1\n", 2, "comes after 3"),
        ("1 1:1 1:2\n", 1, "appears twice"),
        ("1 2:1 5:1 5:1\n", 1, "appears twice"),
        ("1 3\n", 1, "not an index:value pair"),
        ("1 3:\n", 1, "not an index:value pair"),
        ("1 :3\n", 1, "not an index:value pair"),
        ("1 3:1:2\n", 1, "not an index:value pair"),
        ("1 a:1\n", 1, "not a positive integer"),
        ("1 -3:1\n", 1, "not a positive integer"),
        ("1 3.0:1\n", 1, "not a positive integer"),
        ("1 99999999999:1\n", 1, "larger than 2147483647"),
        ("1 2147483648:1\n", 1, "larger than 2147483647"),
        ("1 1:nan\n", 1, "finite"),
        ("1 1:NaN\n", 1, "finite"),
        ("1 1:-inf\n", 1, "finite"),
        ("1 1:Infinity\n", 1, "finite"),
        ("1 1:1e39\n", 1, "float32 range"),
        ("1 1:0x1p3\n", 1, "not a number"),
        ("1 1:abc\n", 1, "'abc' is not a number"),
        ("1 1:1e\n", 1, "not a number"),
        ("1 1:2\n1:2 3:4\n", 2, "no label"),
        ("1,3 1:2\n", 1, "multi-label"),
        ("1 1:2 qid:3\n", 1, "right after the label"),
        ("1 qid:x 1:2\n", 1, "qid must be an integer"),
        ("1 qid:1 qid:2 1:2\n", 1, "right after the label"),
        ("1 qid:4\u{656} 1:2\n", 1, "qid must be an integer"),  // a digit with a combining mark
        ("1 4\u{656}:2\n", 1, "not a positive integer"),
        ("# only\n\n1 1:1\n2 2:2\n3 1:1\r\n4 x\n", 6, "not an index:value pair"),
    ])
    func errorsNameTheLine(text: String, line: Int, fragment: String) throws {
        let e = try #require(Self.error(text), "no error for \(text.debugDescription)")
        #expect(e.line == line, "\(e)")
        #expect(e.message.contains(fragment), "message: \(e.message)")
        // The reference agrees that the line is bad.
        #expect(LIBSVMReference.parse(Array(text.utf8)) == .failure(.init(line: line)))
    }

    /// A label that is not UTF-8 is an error at its line: decoded, Latin-1's "café" and "cafè"
    /// both became "caf\u{FFFD}", one class.
    @Test func labelsThatAreNotUTF8AreAnErrorAtTheirLine() throws {
        let bytes = Array("caf".utf8) + [0xE9] + Array(" 1:1\ncaf".utf8) + [0xE8] + Array(" 2:1\n".utf8)
        do {
            let t = try LIBSVMReader.parse(bytes, file: "t.svm", featureCount: nil)
            Issue.record("read with labels \(t.labels)")
        } catch {
            guard case .data(_, let line, let message) = error else { throw error }
            #expect(line == 1 && message.contains("not valid UTF-8"), "\(error)")
        }
        #expect(LIBSVMReference.parse(bytes) == .failure(.init(line: 1)))
        // Valid UTF-8 beyond ASCII stays accepted, as two classes.
        #expect(try Self.parse("café 1:1\ncafè 2:1\n").labels == ["café", "cafè"])
    }

    @Test func emptyAndDataLessFilesAreErrors() throws {
        let empty = try #require(Self.error(""))
        #expect(empty.line == nil && empty.message == "the file is empty")
        for text in ["\n\n", "# nothing\n  \n", "\u{FEFF}"] {
            let e = try #require(Self.error(text))
            #expect(e.line == nil && e.message.contains("no data rows"), "\(e)")
        }
    }

    @Test func readsFilesAndNamesThemInErrors() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let path = dir.write("a.svm", "1 1:1 3:2\n0 2:5\n")
        let t = try LIBSVMReader.read(path: path)
        #expect(t.file == path && t.count == 2 && t.featureCount == 3)
        let bad = dir.write("b.svm", "1 1:1\n0 2:5 2:6\n")
        #expect(throws: LearningError.data(file: bad, line: 2, message: "feature index 2 appears twice")) {
            try LIBSVMReader.read(path: bad)
        }
        #expect(throws: LearningError.data(file: dir.file("none.svm"), line: nil, message: "no such file")) {
            try LIBSVMReader.read(path: dir.file("none.svm"))
        }
    }

    @Test func messagesStayOnOneLine() throws {
        let e = try #require(Self.error("1 1:\u{0B}2\n"))
        let text = LearningError.data(file: "t.svm", line: e.line, message: e.message).description
        #expect(!text.contains("\n") && !text.contains("\u{0B}"), "\(text)")
    }

    // MARK: - Generated files against the reference

    static func generate(_ rng: inout SplitMix64, corrupt: Bool) -> String {
        let labels = ["1", "-1", "+1", "0", "2", "cat", "ü", "e\u{301}"]
        let crlf = rng.nextInt(below: 3) == 0
        var lines: [String] = []
        if rng.nextInt(below: 4) == 0 { lines.append("# generated") }
        let rows = rng.nextInt(below: 30)
        for _ in 0..<rows {
            if rng.nextInt(below: 8) == 0 { lines.append(["", " ", "\t", "# c"][rng.nextInt(below: 4)]) }
            func gap(_ rng: inout SplitMix64) -> String { [" ", " ", "\t", "  ", " \t "][rng.nextInt(below: 5)] }
            var line = (rng.nextInt(below: 5) == 0 ? gap(&rng) : "") + labels[rng.nextInt(below: labels.count)]
            if rng.nextInt(below: 6) == 0 { line += gap(&rng) + "qid:\(rng.nextInt(below: 100))" }
            var index = 0
            for _ in 0..<rng.nextInt(below: 8) {
                index += 1 + (rng.nextInt(below: 3) == 0 ? rng.nextInt(below: 1000) : 0)
                var value: String
                repeat { value = FloatParsingTests.randomDecimal(&rng) } while !(Float(value)?.isFinite ?? false)
                line += gap(&rng) + "\(index):\(value)"
            }
            if rng.nextInt(below: 6) == 0 { line += gap(&rng) }
            if rng.nextInt(below: 8) == 0 { line += (rng.nextInt(below: 2) == 0 ? " " : "") + "# note 1:2" }
            lines.append(line)
        }
        if corrupt && !lines.isEmpty {
            let k = rng.nextInt(below: lines.count)
            let damage = ["0:1", "1:1 1:2", "5:1 3:1", "7", "7:", ":7", "x:1", "3:nan", "3:inf", "3:1e40", "3:1:1", "qid:1",
                          "2:0x10", "-2:1", "3:1.2.3"]
            let d = damage[rng.nextInt(below: damage.count)]
            switch rng.nextInt(below: 3) {
            case 0: lines[k] = "1 " + d  // a row of only the damage
            case 1: lines[k] += " " + d  // appended (may also break the order)
            default: lines[k] = d + " " + lines[k]  // before the label
            }
        }
        var text = lines.joined(separator: crlf ? "\r\n" : "\n")
        if rng.nextInt(below: 4) != 0 { text += crlf ? "\r\n" : "\n" }
        if rng.nextInt(below: 5) == 0 { text = "\u{FEFF}" + text }
        return text
    }

    @Test func generatedFilesParseAsTheReferenceReadsThem() throws {
        var rng = SplitMix64(seed: 314)
        var parsed = 0, failed = 0
        for i in 0..<600 {
            let text = Self.generate(&rng, corrupt: i % 2 == 1)
            let want = LIBSVMReference.parse(Array(text.utf8))
            let got = Result { () throws(LearningError) in try Self.parse(text) }
            switch (got, want) {
            case (.success(let t), .success(let w)):
                guard !w.labels.isEmpty else {
                    Issue.record("file \(i): no rows, but the reader succeeded")
                    continue
                }
                parsed += 1
                var g = LIBSVMReference.Table(labels: t.labels)
                for r in 0..<t.count {
                    let row = t.row(r)
                    g.rows.append(zip(row.columns, row.values).map { LIBSVMReference.Entry(index: Int($0) + 1, bits: $1.bitPattern) })
                }
                #expect(g == w, "file \(i): \(text.debugDescription)")
                #expect(t.featureCount == w.rows.compactMap { $0.last?.index }.max() ?? 0)
            case (.failure(let e), .success(let w)):
                // A file without rows is an error for the reader only.
                if !w.labels.isEmpty { Issue.record("file \(i): \(e), the reference reads it: \(text.debugDescription)") }
            case (.success, .failure(let w)):
                Issue.record("file \(i): read, the reference fails at line \(w.line): \(text.debugDescription)")
            case (.failure(let e), .failure(let w)):
                failed += 1
                guard case .data(_, let line, _) = e else { Issue.record("\(e)"); continue }
                #expect(line == w.line, "file \(i): \(e), reference line \(w.line): \(text.debugDescription)")
            }
        }
        // Both sides of the comparison are exercised.
        #expect(parsed > 200 && failed > 200, "parsed \(parsed), failed \(failed)")
    }
}
