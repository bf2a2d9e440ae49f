import DataParallel
import Foundation
import Testing
@testable import Learning

@Suite struct SearchLogTests {
    @Test("lines read back to the same scores, bit for bit; a line of another search is refused")
    func roundTripAndForeignLines() throws {
        let s = try ModelSearchTests.mixedSearch()
        let folder = TempFolder()
        defer { folder.cleanup() }
        var log = SearchLog(folder: folder.path)
        #expect(try log.read(for: s).isEmpty)
        let pool = try WorkerPool(workers: 1)
        let scores = try (0..<3).map { j in try #require(try s.run(job: j, pool: pool)) }
        for score in scores { try log.append(score, of: s) }
        var again = SearchLog(folder: folder.path)
        let read = try again.read(for: s)
        #expect(ModelSearchTests.bits(read) == ModelSearchTests.bits(scores))
        #expect(read.map(\.seconds) == scores.map(\.seconds))
        // Appending after a read keeps the lines read.
        try again.append(try #require(try s.run(job: 5, pool: pool)), of: s)
        #expect(CLILines.count(folder.file(SearchLog.fileName)) == 4)
        // The same jobs with other folds: another search.
        let other = ModelSearch(candidates: s.candidates, data: s.data,
                                folds: Folds(labels: s.data.train.labels, classCount: 3, count: 3, seed: 99))
        var foreign = SearchLog(folder: folder.path)
        #expect(throws: LearningError.self) { try foreign.read(for: other) }
    }

    @Test("a malformed line is an error naming the file and line")
    func malformedLine() throws {
        let s = try ModelSearchTests.mixedSearch()
        let folder = TempFolder()
        defer { folder.cleanup() }
        let path = folder.write(SearchLog.fileName, "{\"candidate\": 0, \"fold\": 0}\n")
        var log = SearchLog(folder: folder.path)
        #expect(throws: LearningError.data(file: path, line: 1,
                                           message: "not a line of this search (candidate, fold or key missing or out of range)")) {
            try log.read(for: s)
        }
        _ = folder.write(SearchLog.fileName, "{\"candidate\": 0,\n")
        #expect(throws: LearningError.self) { try log.read(for: s) }
    }
}

enum CLILines {
    static func count(_ path: String) -> Int {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").count
    }
}
