import DataParallel
import Testing
@testable import Learning

@Suite struct PredictionTextTests {
    /// 10 rows, 3 classes; row i's probabilities (i, 2i + 1, 3) / (3i + 4) in float32, its
    /// prediction i mod 3, an id column with a comma in every fourth cell.
    static func text(rows n: Int = 10, probabilities: Bool = true) -> PredictionText {
        var p: [Float] = []
        for i in 0..<n {
            let total = Float(3 * i + 4)
            p += [Float(i) / total, Float(2 * i + 1) / total, 3 / total]
        }
        let scores = Scores(probabilities: p, losses: [Double](repeating: 0, count: n),
                            predicted: (0..<n).map { Int32($0 % 3) })
        let ids = (0..<n).map { $0 % 4 == 0 ? "id \($0), \"x\"" : "id\($0)" }
        return PredictionText(kept: [(name: "id", cells: ids)], labelName: "kind", classes: ["a", "b,c", "d"],
                              scores: scores, probabilities: probabilities)
    }

    /// The same text built the plain way, one string for the whole output, field by field.
    static func expected(rows n: Int = 10, probabilities: Bool = true) -> String {
        var out = probabilities ? "id,kind,p_a,\"p_b,c\",p_d\n" : "id,kind\n"
        for i in 0..<n {
            out += i % 4 == 0 ? "\"id \(i), \"\"x\"\"\"," : "id\(i),"
            out += ["a", "\"b,c\"", "d"][i % 3]
            if probabilities {
                let total = Float(3 * i + 4)
                out += ",\(Float(i) / total),\(Float(2 * i + 1) / total),\(3 / total)"
            }
            out += "\n"
        }
        return out
    }

    /// Any worker count and any chunk size give the plain text, byte for byte, in order.
    @Test(arguments: [1, 2, 3], [1, 3, 4, 10, 4096])
    func theBytesDoNotDependOnWorkersOrChunks(workers: Int, rowsPerChunk: Int) throws {
        let pool = try WorkerPool(workers: workers)
        for probabilities in [true, false] {
            var written: [[UInt8]] = []
            Self.text(probabilities: probabilities).write(pool: pool, rowsPerChunk: rowsPerChunk) { written.append($0) }
            #expect(String(decoding: written.joined(), as: UTF8.self) == Self.expected(probabilities: probabilities))
            // The header, then one piece per chunk of at most rowsPerChunk lines.
            #expect(written.count == 1 + (10 + rowsPerChunk - 1) / rowsPerChunk)
            #expect(written.dropFirst().allSatisfy { $0.filter { $0 == UInt8(ascii: "\n") }.count <= rowsPerChunk })
        }
    }

    /// A failing write stops the chunks after it.
    @Test func aFailingWriteStops() throws {
        struct Full: Error {}
        var calls = 0
        #expect(throws: Full.self) {
            try Self.text().write(pool: try WorkerPool(workers: 2), rowsPerChunk: 2) { (_: [UInt8]) throws(Full) in
                calls += 1
                if calls == 2 { throw Full() }
            }
        }
        #expect(calls == 2)
    }

    @Test func noRowsIsTheHeaderAlone() throws {
        var written: [[UInt8]] = []
        Self.text(rows: 0).write(pool: try WorkerPool(workers: 3)) { written.append($0) }
        #expect(written.map { String(decoding: $0, as: UTF8.self) } == ["id,kind,p_a,\"p_b,c\",p_d\n"])
    }
}
