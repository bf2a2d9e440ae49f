import Testing
@testable import Learning

@Suite struct BenchmarkTests {
    static let tiny = BenchmarkWorkload(name: "tiny", samples: 40, features: 3, classes: 2, batchSize: 8)

    @Test func theWorkloadsConfigPasses() throws {
        for w in [BenchmarkWorkload.w1, .w2, .w3, Self.tiny] { try Benchmark.config(w, epochs: 5).validate() }
        let results = try Benchmark.run(Self.tiny, data: Benchmark.data(Self.tiny), epochs: 2, workers: [1])
        #expect(results.count == 1 && results[0].loss.isFinite)
    }

    /// A workload built in code with a value no config allows is refused before any training,
    /// as a config error naming the key.
    @Test(arguments: [
        (BenchmarkWorkload(name: "b0", samples: 40, features: 3, classes: 2, batchSize: 0), 2, "training.batch_size"),
        (tiny, 0, "training.epochs"),
        (BenchmarkWorkload(name: "h0", samples: 40, features: 3, classes: 2, batchSize: 8, hidden: [4, 0]), 2,
         "model.hidden[1]"),
        (BenchmarkWorkload(name: "k", samples: 40, features: 3, classes: 50, batchSize: 8), 2, "data.synthetic.classes"),
    ])
    func aBadSettingThrows(workload: BenchmarkWorkload, epochs: Int, key: String) {
        var trained = false
        #expect {
            _ = try Benchmark.run(workload, data: Benchmark.data(Self.tiny), epochs: epochs, workers: [1]) { _ in trained = true }
        } throws: { error in
            guard case LearningError.config(let file, let k, _) = error else { return false }
            return file == "bench" && k == key
        }
        #expect(!trained)
    }
}
