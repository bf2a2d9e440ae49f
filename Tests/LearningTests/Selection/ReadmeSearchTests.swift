import DataParallel
import Learning
import Testing

/// The search example of docs/commands.md ("Model selection: search and cv"), word for word (but
/// `static`), through the public API only.
@Suite struct ReadmeSearchTests {
    static func chooseAlpha(rows: Dataset) throws -> Config? {
        var base = Config()                                     // no data.train: rows in memory
        base.training.learningRate = .constant
        base.training.eta0 = 0.05
        let space = SearchSpace(parameters: [("training.alpha", .values([.number(1e-4), .number(1e-2), .number(1)]))])
        let candidates = try space.candidates(base: base)       // each checked as a config file is
        let loaded = LoadedData(rows: rows, test: nil, label: "label", source: "in memory")
        let result = try search(candidates, base: base, data: loaded, folds: 5, workers: 0)
        return result.best.map { result.candidates[$0.candidate].config }
    }

    @Test func readmeExampleChoosesTheHeavyPenaltyOnNoise() throws {
        // 60 rows, one weakly informative feature and 149 of noise: heavy regularisation wins.
        var g = SplitMix64(seed: 5)
        let n = 60, d = 150
        var x = [Float](repeating: 0, count: n * d), y = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            y[i] = Int32(i % 2)
            for j in 0..<d { x[i * d + j] = Float(g.nextGaussian() + (j == 0 ? (y[i] == 1 ? 0.6 : -0.6) : 0)) }
        }
        let rows = Dataset(features: x, labels: y, classes: ["a", "b"], featureNames: (0..<d).map { "f\($0)" })
        let best = try #require(try Self.chooseAlpha(rows: rows))
        #expect(best.training.alpha == 1)
    }
}
