import DataParallel
import Foundation
import Testing
@testable import Learning

/// `data.weight`: a CSV column of per-sample weights, read next to the label, never a feature.
@Suite struct WeightColumnTests {
    func read(_ text: String, weight: String = "w") throws -> LabeledTable {
        let dir = TempFolder()
        defer { dir.cleanup() }
        return try CSVReader.read(path: dir.write("t.csv", text), label: "label", weight: weight)
    }

    func dataError(_ text: String, weight: String = "w") -> (line: Int?, message: String)? {
        do { _ = try read(text, weight: weight); return nil } catch let e as LearningError {
            if case .data(_, let line, let message) = e { return (line, message) }
            return nil
        } catch { return nil }
    }

    @Test func theWeightColumnIsReadAndLeftOutOfTheFeatures() throws {
        // The weight column before, between and after the others.
        for (text, features) in [
            ("w,a,label,b\n0.5,1,x,2\n2,3,y,4\n0,5,x,6\n", [Float]([1, 2, 3, 4, 5, 6])),
            ("a,w,b,label\n1,0.5,2,x\n3,2,4,y\n5,0,6,x\n", [1, 2, 3, 4, 5, 6]),
            ("a,b,label,w\n1,2,x,0.5\n3,4,y,2\n5,6,x,0\n", [1, 2, 3, 4, 5, 6]),
        ] {
            let t = try read(text)
            #expect(t.featureNames == ["a", "b"])
            #expect(t.features == features)
            #expect(t.weights == [0.5, 2, 0])
            #expect(t.labels == ["x", "y", "x"])
            // Encoding keeps the weights with their rows, and a subset takes its rows' weights.
            let d = t.encoded(classes: ["x", "y"])
            #expect(d.weights == [0.5, 2, 0])
            #expect(d.subset([2, 0]).weights == [0, 0.5])
            #expect(d.subset([2, 0]).features == [5, 6, 1, 2])
        }
        // Without data.weight a column named w is an ordinary feature.
        let dir = TempFolder()
        defer { dir.cleanup() }
        let plain = try CSVReader.read(path: dir.write("p.csv", "a,w,label\n1,2,x\n"), label: "label")
        #expect(plain.featureNames == ["a", "w"] && plain.weights == nil)
    }

    @Test(arguments: [
        // A negative weight names its line: blank lines count as lines, not as rows.
        ("a,w,label\n1,1,x\n\n2,-0.5,y\n", 4 as Int?, "weight column 'w' value -0.5 is negative"),
        ("a,w,label\n1,abc,x\n", 2, "column 'w' value 'abc' is not a number"),
        ("a,w,label\n1,inf,x\n", 2, "finite"),
        ("a,w,label\n1,,x\n", 2, "column 'w' is empty"),
        ("a,label\n1,x\n", 1, "no weight column 'w' in the header"),
        ("\n\nw,label\n1,x\n", 3, "no feature columns besides the label and the weight column 'w'"),
        ("a,w,label\n1,0,x\n2,-0,y\n", nil, "every value of the weight column 'w' is 0"),
    ])
    func badWeightsAreErrorsAtTheirLine(text: String, line: Int?, fragment: String) throws {
        let e = try #require(dataError(text))
        #expect(e.line == line, "message: \(e.message)")
        #expect(e.message.contains(fragment), "message: \(e.message)")
    }

    @Test func negativeWeightsAreFoundWhenTheRowsParseInParallelChunks() throws {
        // Small chunks on three workers; the bad row is near the end, after a blank line.
        var text = "a,b,label,w\n"
        for i in 0..<3000 { text += (i == 1500 ? "\n" : "") + "\(i % 7),\(i % 5),\(i % 3),\(i == 2990 ? "-2" : "1.5")\n" }
        let bytes = Array(text.utf8)
        let table = try CSVReader.parse(bytes, file: "big.csv", labelColumn: "label", requireLabel: true,
                                        pool: WorkerPool(workers: 3), chunking: CSVChunking(chunkBytes: 256, maxChunks: 64))
        #expect(throws: LearningError.data(file: "big.csv", line: 2993,
                                           message: "weight column 'w' value -2.0 is negative; sample weights must be >= 0")) {
            _ = try CSVReader.takingWeights(table, column: "w", bytes: bytes)
        }
    }

    @Test func dataForAModelMayHaveTheWeightColumnOrNot() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let with = dir.write("with.csv", "b,w,a,label\n2,9,1,x\n4,8,3,y\n")
        let without = dir.write("without.csv", "a,b\n1,2\n3,4\n")
        let r1 = try CSVReader.readForModel(path: with, featureNames: ["a", "b"], label: "label", ignoring: ["w"])
        #expect(r1.features == [1, 2, 3, 4] && r1.labels == ["x", "y"])
        let r2 = try CSVReader.readForModel(path: without, featureNames: ["a", "b"], label: "label", ignoring: ["w"])
        #expect(r2.features == [1, 2, 3, 4] && r2.labels == nil)
        // Not ignored, the column is an extra feature: an error.
        #expect(throws: LearningError.self) {
            _ = try CSVReader.readForModel(path: with, featureNames: ["a", "b"], label: "label")
        }
    }

    @Test func aModelFileRemembersTheWeightColumnAndIgnoresItInData() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let model = LinearModel(kind: .logistic, featureCount: 2, classCount: 2, weights: [1, -1], bias: [0.5])
        var saved = SavedModel(model: model, classes: ["x", "y"], featureNames: ["a", "b"], label: "label", scaler: nil)
        saved.weight = "w"
        let path = dir.file("m.json")
        try saved.write(to: path)
        let back = try SavedModel.read(path: path)
        #expect(back.weight == "w")
        let (data, hasLabels) = try back.loadData(path: dir.write("d.csv", "w,b,label,a\n5,2,y,1\n"))
        #expect(hasLabels && data.features == [1, 2] && data.labels == [1] && data.weights == nil)
        let (plain, _) = try back.loadData(path: dir.write("e.csv", "b,a\n2,1\n"))
        #expect(plain.features == [1, 2])
        // A model without a weight column writes no "weight" key and reads back nil.
        saved.weight = nil
        try saved.write(to: path)
        #expect(!(try String(contentsOfFile: path, encoding: .utf8)).contains("\"weight\""))
        #expect(try SavedModel.read(path: path).weight == nil)
        // A weight column that is also a feature is a broken model file.
        var json = saved.jsonValue
        if case .object(var members) = json {
            members.append(("weight", .string("a")))
            json = .object(members)
        }
        #expect(throws: LearningError.self) { _ = try SavedModel.decode(json, file: "m.json") }
    }

    @Test func npyWeightsComeFromAOneDimensionalFile() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let good = NPYWriter.write(dir, "w.npy", NPYWriter.bytes(descr: "<f8", shape: [3], body: NPYWriter.raw([0.5, 0, 2.0])))
        #expect(try TableLoading.loadWeights(path: good, rows: 3, features: "x.npy") == [0.5, 0, 2])
        func message(_ body: [Float], shape: [Int], rows: Int) -> String? {
            let p = NPYWriter.write(dir, "bad.npy", NPYWriter.bytes(descr: "<f4", shape: shape, body: NPYWriter.raw(body)))
            do { _ = try TableLoading.loadWeights(path: p, rows: rows, features: "x.npy"); return nil } catch {
                return error.description
            }
        }
        #expect(message([1, 2], shape: [2], rows: 3)?.contains("has 2 weights for the 3 rows of x.npy") == true)
        #expect(message([1, -2, 3], shape: [3], rows: 3)?.contains("weight 1 is -2.0") == true)
        #expect(message([0, 0], shape: [2], rows: 2)?.contains("every weight is 0") == true)
        #expect(message([1, 2, 3, 4], shape: [2, 2], rows: 2)?.contains("1-D") == true)
    }
}
