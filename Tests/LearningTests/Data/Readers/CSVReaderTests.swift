import Testing
@testable import Learning

@Suite struct CSVReaderTests {
    func parse(_ text: String, label: String = "label") throws -> LabeledTable {
        try parse(bytes: Array(text.utf8), label: label)
    }

    func parse(bytes: [UInt8], label: String = "label") throws -> LabeledTable {
        try CSVReader.parse(bytes, file: "t.csv", labelColumn: label, requireLabel: true)
    }

    func dataError(_ text: String) -> (line: Int?, message: String)? {
        dataError(bytes: Array(text.utf8))
    }

    func dataError(bytes: [UInt8]) -> (line: Int?, message: String)? {
        do { _ = try parse(bytes: bytes); return nil } catch let e as LearningError {
            if case .data(_, let line, let message) = e { return (line, message) }
            return nil
        } catch { return nil }
    }

    @Test func readsFeaturesAndLabelsInAnyColumnOrder() throws {
        let t = try parse("a,label,b\n1,x,2\n-3.5,y,4e2\n")
        #expect(t.featureNames == ["a", "b"])
        #expect(t.features == [1, 2, -3.5, 400])
        #expect(t.labels == ["x", "y"])
    }

    @Test func acceptsBOMCRLFQuotesAndBlankLines() throws {
        let t = try parse("\u{FEFF}\"a\",b,label\r\n\"1\",2,\"x, y\"\r\n\r\n3,4,\"say \"\"hi\"\"\"\r\n\n")
        #expect(t.featureNames == ["a", "b"])
        #expect(t.features == [1, 2, 3, 4])
        #expect(t.labels == ["x, y", "say \"hi\""])
    }

    @Test func numericLabelsSortByValue() throws {
        #expect(try parse("a,label\n1,10\n2,-1\n3,2\n").distinctLabels == ["-1", "2", "10"])
        #expect(try parse("a,label\n1,b\n2,a\n3,C\n").distinctLabels == ["C", "a", "b"])
    }

    @Test(arguments: [
        ("a,label\n1,x\n2\n", 3, "expected 2 fields"),
        ("a,label\n1,x\nabc,y\n", 3, "'abc' is not a number"),
        ("a,label\n1,x\nnan,y\n", 3, "finite"),
        ("a,label\n1,x\n-inf,y\n", 3, "finite"),
        ("a,label\n1,x\n1e50,y\n", 3, "float32"),
        ("a,label\n1,x\n0x10,y\n", 3, "not a number"),
        ("a,label\n,x\n", 2, "empty"),
        ("a,label\n1,\n", 2, "label is empty"),
        ("a,b\n1,2\n", 1, "no label column 'label'"),
        ("a,a,label\n1,2,x\n", 1, "appears twice"),
        ("a,label\n\"1,x\n", 2, "not closed"),
    ])
    func errorsNameTheLine(text: String, line: Int, fragment: String) throws {
        let e = try #require(dataError(text))
        #expect(e.line == line)
        #expect(e.message.contains(fragment), "message: \(e.message)")
    }

    /// Text that is not UTF-8 is an error at its line: decoded, Latin-1's "café" and "cafè" both
    /// became "caf\u{FFFD}", one class, and the model silently learned the wrong labels.
    @Test func bytesThatAreNotUTF8AreAnErrorAtTheirLine() throws {
        let cases: [(name: String, bytes: [UInt8], line: Int)] = [
            ("labels", Array("a,label\n1,caf".utf8) + [0xE9] + Array("\n2,caf".utf8) + [0xE8] + Array("\n".utf8), 2),
            ("a label on the last line", Array("a,label\n1,x\n2,caf".utf8) + [0xE8], 3),
            ("a quoted label", Array("a,label\n1,x\n2,\"caf".utf8) + [0xE8] + Array("\"\n".utf8), 3),
            ("a label before the features", Array("label,a\n".utf8) + [0xFF] + Array(",1\nx,2\n".utf8), 2),
            ("a header name", Array("a,".utf8) + [0xE9] + Array(",label\n1,2,x\n".utf8), 1),
        ]
        for c in cases {
            let error = dataError(bytes: c.bytes)
            #expect(error?.line == c.line, "\(c.name): \(String(describing: error))")
            #expect(error?.message.contains("not valid UTF-8") == true, "\(c.name): \(String(describing: error))")
        }
        // Valid UTF-8 beyond ASCII stays accepted, as two classes.
        #expect(try parse("a,label\n1,café\n2,cafè\n").distinctLabels == ["cafè", "café"])
    }

    @Test func emptyAndHeaderOnlyFilesAreErrors() throws {
        #expect(try #require(dataError("")).message.contains("empty"))
        #expect(try #require(dataError("\n\n")).message.contains("empty"))
        #expect(try #require(dataError("a,label\n")).message.contains("no data rows"))
    }

    @Test func missingFileIsAnError() {
        #expect(throws: LearningError.data(file: "/no/such/file.csv", line: nil, message: "no such file")) {
            try CSVReader.read(path: "/no/such/file.csv", label: "label")
        }
    }

    @Test func theShippedDataSetsLoad() throws {
        let iris = try CSVReader.read(path: Repo.path("data/iris.csv"), label: "label")
        #expect(iris.count == 150 && iris.featureNames.count == 4)
        #expect(iris.distinctLabels == ["setosa", "versicolor", "virginica"])
        let digits = try CSVReader.read(path: Repo.path("data/digits.csv"), label: "label")
        #expect(digits.count == 1797 && digits.featureNames.count == 64 && digits.distinctLabels.count == 10)
        #expect(digits.features.allSatisfy { $0 >= 0 && $0 <= 16 })
    }
}
