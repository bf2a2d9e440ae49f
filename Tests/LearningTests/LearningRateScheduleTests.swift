import DataParallel
import Foundation
import Testing
@testable import Learning

@Suite struct LearningRateScheduleTests {
    @Test func constantIsEta0() {
        let s = LearningRateSchedule(kind: .constant, eta0: 0.3, powerT: 0.5, alpha: 1e-4)
        #expect(s.rate(step: 1) == 0.3 && s.rate(step: 1000) == 0.3)
    }

    @Test func invscalingIsEta0OverTToThePowerT() {
        let s = LearningRateSchedule(kind: .invscaling, eta0: 0.8, powerT: 0.5, alpha: 1e-4)
        #expect(s.rate(step: 1) == 0.8)            // 0.8 / 1^0.5
        #expect(abs(s.rate(step: 4) - 0.4) < 1e-15)   // 0.8 / 4^0.5
        #expect(abs(s.rate(step: 100) - 0.08) < 1e-15) // 0.8 / 100^0.5
        let q = LearningRateSchedule(kind: .invscaling, eta0: 1, powerT: 0.25, alpha: 1e-4)
        #expect(abs(q.rate(step: 16) - 0.5) < 1e-15)  // 1 / 16^0.25
    }

    @Test func optimalFollowsScikitLearn() {
        // alpha = 1e-4: typw = sqrt(1 / sqrt(1e-4)) = sqrt(100) = 10, t0 = 1 / (10 * 1e-4) = 1000.
        let s = LearningRateSchedule(kind: .optimal, eta0: 0.01, powerT: 0.5, alpha: 1e-4)
        #expect(abs(s.optimalT0 - 1000) < 1e-9)
        #expect(abs(s.rate(step: 1) - 10) < 1e-9)               // 1 / (1e-4 * 1000)
        #expect(abs(s.rate(step: 1001) - 5) < 1e-9)             // 1 / (1e-4 * 2000)
        // alpha = 0.01: typw = sqrt(10), t0 = 1 / (sqrt(10) * 0.01) = 31.6227766...
        let r = LearningRateSchedule(kind: .optimal, eta0: 0.01, powerT: 0.5, alpha: 0.01)
        #expect(abs(r.optimalT0 - 31.622776601683793) < 1e-9)
    }
}

@Suite struct AdaptiveRateTests {
    @Test func adaptiveDividesByFiveOnEachStallAndStopsBelowOneMillionth() throws {
        let data = blobs(samples: 200, features: 4, classes: 3, seed: 3)
        var o = TrainingOptions()
        o.learningRate = .adaptive
        o.eta0 = 0.1
        o.epochs = 100
        o.tol = 10  // no epoch improves by 10: every epoch after the first is a stall
        o.nIterNoChange = 1
        let run = try Trainer(options: o, pool: WorkerPool(workers: 2))
            .train(LinearModel(kind: .softmax, featureCount: 4, classCount: 3), on: data)
        // Epoch 1 sets the best; after epochs 2, 3, ..., 9 the rate is divided by 5. After
        // epoch 9 it would be 0.1 / 5^8 = 2.56e-7 < 1e-6, so training ends there.
        let rates = run.epochs.map(\.learningRate)
        let expected = [0.1, 0.1] + (1...7).map { 0.1 / pow(5.0, Double($0)) }
        #expect(rates.count == expected.count)
        for (r, e) in zip(rates, expected) { #expect(abs(r - e) <= 1e-12 * e) }
        #expect(run.stopReason == .converged)
    }
}
