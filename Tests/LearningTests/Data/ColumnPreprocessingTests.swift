import Foundation
import Testing
@testable import Learning

/// One-hot encoding and imputation against scikit-learn, the column problems reported at once,
/// and the preprocessing's round trip through a model file.
@Suite struct ColumnPreprocessingTests {
    static let fixtures = "Tests/LearningTests/Fixtures/preprocessing/"

    /// A CSV file of numbers with a header, as rows.
    static func numbers(_ path: String) throws -> (names: [String], rows: [[Double]]) {
        let lines = try String(contentsOfFile: Repo.path(path), encoding: .utf8).split(separator: "\n").map(String.init)
        let names = lines[0].split(separator: ",").map(String.init)
        return (names, lines.dropFirst().map { $0.split(separator: ",").map { Double($0)! } })
    }

    /// scripts/make_preprocessing_fixture.py: scikit-learn's SimpleImputer (with add_indicator)
    /// and OneHotEncoder(handle_unknown="ignore") learned on train.csv, applied to new.csv,
    /// which has a category never seen, empty cells and a region never seen.
    @Test(arguments: [MissingValues.mean, .median, .mostFrequent])
    func matchesScikitLearn(strategy: MissingValues) throws {
        let train = try TextTable.read(path: Repo.path(Self.fixtures + "train.csv"))
        let new = try TextTable.read(path: Repo.path(Self.fixtures + "new.csv"))
        var data = DataConfig()
        data.ignore = ["id"]
        data.categorical = .named(["plan", "region"])
        data.missing = strategy
        data.missingIndicator = true
        let p = try ColumnPreprocessing.learn(train, label: "label", weight: nil, data: data,
                                              trainingRows: Array(0..<train.count))
        let expected = try Self.numbers(Self.fixtures + "expected_\(strategy.rawValue).csv")
        #expect(p.featureNames == expected.names)
        let x = try p.transform(new, label: "label", weight: nil)
        let d = expected.names.count
        try #require(x.count == expected.rows.count * d)
        for (r, row) in expected.rows.enumerated() {
            for (j, want) in row.enumerated() {
                // float32 values against float64 ones: a relative 1e-6.
                #expect(abs(Double(x[r * d + j]) - want) <= 1e-6 * max(1, abs(want)),
                        "row \(r) \(expected.names[j]): \(x[r * d + j]) vs \(want)")
            }
        }
    }

    /// The fill values of a column come from the training rows only.
    @Test func fillValuesAreLearnedOnTheTrainingRows() throws {
        let table = try TextTable.parse(Array("a,label\n1,x\n3,y\n,x\n100,y\n".utf8), file: "t.csv")
        var data = DataConfig()
        data.missing = .mean
        let p = try ColumnPreprocessing.learn(table, label: "label", weight: nil, data: data, trainingRows: [0, 1, 2])
        #expect(p.columns == [.numeric(.init(name: "a", fill: 2, indicator: false))])
        let x = try p.transform(table, label: "label", weight: nil)
        #expect(x == [1, 3, 2, 100])
        #expect(Imputation.fill([4, 1, 3, 2], .median) == 2.5 && Imputation.fill([5, 1, 3], .median) == 3)
        #expect(Imputation.fill([2, 7, 7, 2, 9], .mostFrequent) == 2)
    }

    /// Every column's problem in one message, the first bad line of each, at most 10 named.
    @Test func everyColumnProblemAtOnce() throws {
        var text = ",id,when,plan,age,label\n"
        text += "0,a,2024-01-02,basic,31,x\n1,b,2024-01-03,pro,,y\n2,c,2024-01-04,pro,40,x\n"
        let table = try TextTable.parse(Array(text.utf8), file: "c.csv")
        do {
            _ = try ColumnPreprocessing.learn(table, label: "label", weight: nil, data: DataConfig(), trainingRows: [0, 1, 2])
            Issue.record("no error")
        } catch {
            guard case .data(let file, let line, let message) = error else { Issue.record("\(error)"); return }
            #expect(file == "c.csv" && line == 1)
            #expect(message.hasPrefix("5 columns cannot be used"), "\(message)")
            #expect(message.contains("pandas") && message.contains(#""ignore": [""]"#))
            #expect(message.contains("column 'id' (line 2): value 'a' is not a number"), "\(message)")
            #expect(message.contains("column 'when' (line 2): value '2024-01-02' looks like a date"), "\(message)")
            #expect(message.contains("column 'plan' (line 2)") && message.contains("column 'age' (line 3): is empty"), "\(message)")
        }
        // Twelve text columns: ten named, the rest counted.
        let names = (0..<12).map { "c\($0)" }
        let wide = names.joined(separator: ",") + ",label\n" + names.map { _ in "t" }.joined(separator: ",") + ",x\n"
        let w = try TextTable.parse(Array(wide.utf8), file: "w.csv")
        #expect(throws: LearningError.self) {
            try ColumnPreprocessing.learn(w, label: "label", weight: nil, data: DataConfig(), trainingRows: [0])
        }
        do {
            _ = try ColumnPreprocessing.learn(w, label: "label", weight: nil, data: DataConfig(), trainingRows: [0])
        } catch {
            let m = error.description
            #expect(m.contains("12 columns") && m.contains("'c9'") && !m.contains("'c10'") && m.hasSuffix("and 2 more"), "\(m)")
        }
        #expect(ColumnProblems.looksLikeDate("2024-01-31") && ColumnProblems.looksLikeDate("31/01/2024 12:00"))
        #expect(!ColumnProblems.looksLikeDate("enterprise") && !ColumnProblems.looksLikeDate("1-2"))
    }

    /// Data for a model without preprocessing (a test file, data to score) is read by the
    /// numeric reader; its bad cells are named all at once too, each column's first bad line.
    @Test func dataForAModelNamesEveryBadColumn() throws {
        let folder = TempFolder()
        defer { folder.cleanup() }
        let path = folder.write("score.csv", "id,a,b,c,label\nx,1,2,3,k\ny,1,,zz,k\nz,oops,2,3,k\n")
        do {
            _ = try CSVReader.readForModel(path: path, featureNames: ["a", "b", "c"], label: "label", ignoring: ["id"])
            Issue.record("no error")
        } catch {
            #expect(error == .data(file: path, line: 4, message: "3 columns cannot be used as they are: "
                + "column 'a' (line 4): value 'oops' is not a number; list the column in data.categorical to one-hot encode it "
                + "(or \"categorical\": \"auto\"), or in data.ignore to leave it out; column 'b' (line 3): is empty (a missing "
                + "value); set data.missing to \"mean\", \"median\" or \"most_frequent\" to fill it in, or list the column in "
                + "data.ignore; column 'c' (line 3): value 'zz' is not a number; list the column in data.categorical to one-hot "
                + "encode it (or \"categorical\": \"auto\"), or in data.ignore to leave it out"), "\(error)")
        }
        // A structural problem stays the numeric reader's own message at its line.
        let short = folder.write("short.csv", "a,b,c,label\n1,2,3,k\n1,2\n")
        #expect(throws: LearningError.data(file: short, line: 3, message: "expected 4 fields as in the header, found 2")) {
            try CSVReader.readForModel(path: short, featureNames: ["a", "b", "c"], label: "label")
        }
    }

    /// "auto" one-hot encodes every text column; a category never seen in training is all zeros.
    @Test func automaticCategoriesAndUnseenValues() throws {
        let table = try TextTable.parse(Array("n,plan,label\n1,b,x\n2,a,y\n3,b,x\n".utf8), file: "t.csv")
        var data = DataConfig()
        data.categorical = .auto
        let p = try ColumnPreprocessing.learn(table, label: "label", weight: nil, data: data, trainingRows: [0, 1, 2])
        #expect(p.featureNames == ["n", "plan=a", "plan=b"])
        let new = try TextTable.parse(Array("plan,n\nc,5\na,6\n".utf8), file: "new.csv")
        #expect(try p.transform(new, label: "label", weight: nil) == [5, 0, 0, 6, 1, 0])
        // An empty categorical cell with data.missing "error" is an error naming its line.
        let empty = try TextTable.parse(Array("plan,n\n,5\n".utf8), file: "e.csv")
        #expect(throws: LearningError.data(file: "e.csv", line: 2, message: "column 'plan' is empty (a missing value); set "
            + "data.missing to \"mean\", \"median\" or \"most_frequent\" to fill it in, or list the column in data.ignore")) {
            try p.transform(empty, label: "label", weight: nil)
        }
    }

    /// The preprocessing travels in the model file's own section and reads back the same.
    @Test func roundTripsThroughTheModelFile() throws {
        let p = ColumnPreprocessing(columns: [
            .categorical(.init(name: "plan", categories: ["basic", "pro"], fill: "pro", emptyIsError: false)),
            .numeric(.init(name: "age", fill: 41.5, indicator: true)),
            .numeric(.init(name: "spend", fill: nil, indicator: false)),
        ], ignored: ["", "id"])
        #expect(p.featureNames == ["plan=basic", "plan=pro", "age", "age=missing", "spend"])
        var saved = SavedModel(model: LinearModel(kind: .softmax, featureCount: 5, classCount: 3), classes: ["a", "b", "c"],
                               featureNames: p.featureNames, label: "label", scaler: nil)
        saved.preprocessing = p
        let back = try SavedModel.decode(try JSONParser.parse(Array(saved.jsonValue.jsonText.utf8)), file: "m.json")
        #expect(back.preprocessing == p)
        // Feature names that do not match the section are refused.
        var wrong = saved
        wrong.featureNames = ["a", "b", "c", "d", "e"]
        #expect(throws: LearningError.self) {
            try SavedModel.decode(try JSONParser.parse(Array(wrong.jsonValue.jsonText.utf8)), file: "m.json")
        }
    }
}
