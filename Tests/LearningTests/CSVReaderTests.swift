import Testing
@testable import Learning

@Suite struct CSVReaderTests {
    func parse(_ text: String, label: String = "label") throws -> LabeledTable {
        try CSVReader.parse(Array(text.utf8), file: "t.csv", labelColumn: label, requireLabel: true)
    }

    func dataError(_ text: String) -> (line: Int?, message: String)? {
        do { _ = try parse(text); return nil } catch let e as LearningError {
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
