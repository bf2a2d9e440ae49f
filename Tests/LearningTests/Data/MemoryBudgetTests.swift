import Foundation
import Testing
@testable import Learning

/// The pre-flight memory checks, with the machine's memory given as a parameter, so that
/// nothing large is ever allocated.
@Suite struct MemoryBudgetTests {
    @Test("a need within the memory passes; beyond it, the message says both sizes")
    func shortfallNamesBothSizes() throws {
        #expect(MemoryBudget.shortfall(needs: 1e9, available: 2e9) == nil)
        #expect(MemoryBudget.shortfall(needs: 2e9, available: 2e9) == nil)
        let message = try #require(MemoryBudget.shortfall(needs: 5.5e11, available: 2.5e10))
        #expect(message.contains("550.0 GB") && message.contains("25.0 GB") && message.contains("25000000000 bytes"))
        #expect(!message.contains("\n"))
    }

    @Test("the estimates grow with the products of the sizes")
    func estimatesFollowTheSizes() {
        let small = MemoryBudget.sparseLinearBytes(features: 1000, outputs: 1, standardize: true, rows: 10, entries: 20)
        let wide = MemoryBudget.sparseLinearBytes(features: 1_000_000, outputs: 1, standardize: true, rows: 10, entries: 20)
        let manyClasses = MemoryBudget.sparseLinearBytes(features: 1_000_000, outputs: 100, standardize: true, rows: 10,
                                                         entries: 20)
        #expect(wide > 900 * small && manyClasses > 20 * wide)
        // ftrl's z and n per weight cost more than adagrad's G2, which costs more than sgd.
        let adagrad = MemoryBudget.sparseLinearBytes(features: 1_000_000, outputs: 100, standardize: true, rows: 10,
                                                     entries: 20, optimizerSlots: OptimizerKind.adagrad.sparseStateSlots)
        let ftrl = MemoryBudget.sparseLinearBytes(features: 1_000_000, outputs: 100, standardize: true, rows: 10,
                                                  entries: 20, optimizerSlots: OptimizerKind.ftrl.sparseStateSlots)
        #expect(ftrl - adagrad > 1e9 && adagrad - manyClasses > 1e9)
        // 2^31 - 1 features, one output: hundreds of gigabytes.
        #expect(MemoryBudget.sparseLinearBytes(features: Int(Int32.max), outputs: 1, standardize: false, rows: 2,
                                               entries: 3) > 3e11)
        #expect(MemoryBudget.denseDataBytes(samples: 100_000_000, features: 1_000_000) >= 4e14)
        let net = MemoryBudget.networkBytes(features: 20, hidden: [100_000, 100_000, 100_000], classes: 3, batchSize: 32,
                                            optimizerSlots: 0)
        #expect(net > 2e10 * 4)
        let adam = MemoryBudget.networkBytes(features: 20, hidden: [100_000, 100_000, 100_000], classes: 3, batchSize: 32,
                                             optimizerSlots: 2)
        #expect(adam > net)
    }

    @Test("LIBSVM: a largest index beyond the memory is an error at its line, or at data.features when that set it")
    func sparseModelTooLarge() throws {
        let table = try LIBSVMReader.parse(Array("1 1:0.5\n# comment\n0 2:1 2147483647:1\n1 3:1\n".utf8), file: "d.svm")
        var config = Config()
        config.file = "run.json"
        config.data.train = "d.svm"
        try PreparedSparseData.checkMemory(config, table: table, classCount: 2, available: 1e12)
        #expect(throws: LearningError.data(file: "d.svm", line: 3, message: "feature index 2147483647 makes a model of "
            + "2147483647 features x 1 output, which "
            + MemoryBudget.shortfall(needs: MemoryBudget.sparseLinearBytes(
                features: 2_147_483_647, outputs: 1, standardize: true, rows: 3, entries: 4), available: 1e10)!)) {
            try PreparedSparseData.checkMemory(config, table: table, classCount: 2, available: 1e10)
        }
        config.data.features = 2_147_483_647
        let withCount = try LIBSVMReader.parse(Array("1 1:0.5\n0 2:1\n".utf8), file: "d.svm", featureCount: 2_147_483_647)
        do {
            try PreparedSparseData.checkMemory(config, table: withCount, classCount: 3, available: 1e10)
            Issue.record("no error")
        } catch {
            guard case .config("run.json", "data.features", let message) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(message.contains("2147483647 features x 3 outputs"))
        }
    }

    @Test("synthetic data and networks beyond the memory are config errors naming their keys")
    func denseSizesTooLarge() throws {
        var spec = SyntheticSpec()
        spec.samples = 100_000_000
        spec.features = 1_000_000
        try PreparedData.checkMemory(spec, configFile: "run.json", available: 1e15)
        #expect(throws: LearningError.self) { try PreparedData.checkMemory(spec, configFile: "run.json", available: 1e14) }
        do {
            try PreparedData.checkMemory(spec, configFile: "run.json", available: 1e14)
        } catch {
            guard case .config("run.json", "data.synthetic.samples", _) = error else { Issue.record("\(error)"); return }
        }
        var config = Config()
        config.file = "run.json"
        config.modelType = .mlp
        config.hidden = [100_000, 100_000, 100_000]
        try TrainingJob.checkNetworkMemory(config, features: 20, classes: 3, dataBytes: 1e6, available: 1e13)
        do {
            try TrainingJob.checkNetworkMemory(config, features: 20, classes: 3, dataBytes: 1e6, available: 1e11)
            Issue.record("no error")
        } catch {
            guard case .config("run.json", "model.hidden", let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("[100000, 100000, 100000]"))
        }
    }

    /// A batch never holds more rows than there are: a batch_size of 10^9 on 150 rows is
    /// checked with the buffers of 150 (it was refused as needing 576 GB).
    @Test func aBatchLargerThanTheDataNeedsTheBuffersOfTheData() throws {
        var config = Config()
        config.file = "run.json"
        config.modelType = .mlp
        config.hidden = [8]
        config.training.batchSize = 1_000_000_000
        try TrainingJob.checkNetworkMemory(config, features: 4, classes: 3, dataBytes: 2400, rows: 150, available: 1e9)
        #expect(throws: LearningError.self) {
            try TrainingJob.checkNetworkMemory(config, features: 4, classes: 3, dataBytes: 2400, available: 1e9)
        }
    }

    /// A warm-started network is checked as a new one of its shape is: its buffers, not its
    /// file, decide (the warm start skipped the check before).
    @Test func aWarmStartedNetworkIsCheckedLikeANewOne() throws {
        let data = blobs(samples: 200, features: 50, classes: 3, seed: 4)
        let prepared = Prepared(train: data, test: nil, validation: nil, scaling: .none, label: "label", source: "blobs")
        var config = Config()
        config.file = "run.json"
        config.modelType = .mlp
        config.hidden = [4000]
        let net = MLP(featureCount: 50, hidden: [4000], activation: .relu, classCount: 3).initialized(seed: 1)
        // About 216,000 parameters: their per-shard gradients alone are more than 5 MB.
        _ = try TrainingJob.startingModel(config, data: prepared, from: .mlp(net), available: 1e10)
        do {
            _ = try TrainingJob.startingModel(config, data: prepared, from: .mlp(net), available: 5e6)
            Issue.record("no error")
        } catch {
            guard case .config("run.json", "model.hidden", let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("[4000]"))
        }
    }
}
