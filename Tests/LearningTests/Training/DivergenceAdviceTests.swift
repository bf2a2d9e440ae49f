import DataParallel
import Testing
@testable import Learning

/// A diverged run suggests only what applies to it: under "optimal" eta0 is ignored; elsewhere
/// a smaller eta0 (named with its value); standardisation only when it is off.
@Suite struct DivergenceAdviceTests {
    @Test func adviceNamesOnlyWhatTheRunReads() {
        var o = TrainingOptions()
        o.learningRate = .optimal
        #expect(o.divergenceAdvice.contains("ignores eta0") && o.divergenceAdvice.contains("training.alpha (now 0.0001)"))
        #expect(!o.divergenceAdvice.contains("smaller training.eta0"))
        o.learningRate = .constant
        o.eta0 = 0.5
        #expect(o.divergenceAdvice == "try a smaller training.eta0 (now 0.5) or training.learning_rate \"adaptive\"")
        o.momentum = 0.9
        #expect(o.divergenceAdvice.hasSuffix("or a smaller training.momentum"))
        let adam = TrainingOptions.defaults(for: .mlp)
        #expect(adam.divergenceAdvice == "try a smaller training.eta0 (now 0.001)")
    }

    /// Through fit: the loop's advice, and data.standardize only for unstandardised data.
    @Test(arguments: [true, false])
    func standardisationIsSuggestedOnlyWhenOff(standardize: Bool) throws {
        let rows = blobs(samples: 60, features: 3, classes: 2, seed: 5)
        var config = Config()
        config.data.standardize = standardize
        config.training.learningRate = .constant
        config.training.eta0 = 1e30
        config.training.epochs = 3
        let data = Prepared(train: rows, test: nil, validation: nil, scaling: standardize ? .fitted : .none,
                            label: "label", source: "memory")
        do {
            _ = try fit(config, data: data, pool: try WorkerPool(workers: 1))
            Issue.record("eta0 1e30 trained")
        } catch {
            guard case .training(let message)? = error as? LearningError else { Issue.record("\(error)"); return }
            #expect(message.contains("try a smaller training.eta0 (now 1e+30)") || message.contains("try a smaller training.eta0 (now 1e30)"),
                    "\(message)")
            #expect(message.hasSuffix(", or set data.standardize = true") == !standardize, "\(message)")
        }
    }
}
