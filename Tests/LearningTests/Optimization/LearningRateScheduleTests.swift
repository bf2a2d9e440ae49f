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
    @Test func adaptiveDividesByFiveOnEachStallAboveOneMillionthAndStopsAtTheNext() throws {
        let data = blobs(samples: 200, features: 4, classes: 3, seed: 3)
        var o = TrainingOptions()
        o.learningRate = .adaptive
        o.eta0 = 0.1
        o.epochs = 100
        o.tol = 10  // no epoch improves by 10: every epoch after the first is a stall
        o.nIterNoChange = 1
        let run = try Trainer(options: o, pool: WorkerPool(workers: 2))
            .train(LinearModel(kind: .softmax, featureCount: 4, classCount: 3), on: data)
        // Epoch 1 sets the best; each stall after epochs 2, 3, ..., 9 divides the rate by 5,
        // since it is still above 1e-6 (after epoch 9 it is 0.1 / 5^7 = 1.28e-6, divided to
        // 2.56e-7). Epoch 10 runs at 2.56e-7, and its stall, at a rate of 1e-6 or less, ends
        // training. scikit-learn agrees: SGDClassifier(loss="log_loss",
        // learning_rate="adaptive", eta0=0.1, tol=10, n_iter_no_change=1, max_iter=100)
        // .fit(X, y) has n_iter_ == 10 (1.9.1, on any data: the counts do not depend on it).
        let rates = run.epochs.map(\.learningRate)
        let expected = [0.1, 0.1] + (1...8).map { 0.1 / pow(5.0, Double($0)) }
        #expect(rates.count == expected.count)
        for (r, e) in zip(rates, expected) { #expect(abs(r - e) <= 1e-12 * e) }
        #expect(run.stopReason == .converged)
    }

    /// The stall count at which training ends, from scikit-learn 1.9.1 on any data:
    /// SGDClassifier(loss="log_loss", learning_rate="adaptive", eta0=eta0, tol=10,
    /// n_iter_no_change=1, max_iter=100).fit(X, y).n_iter_ is 10, 4 and 3 for eta0 = 0.1, 1e-5
    /// and 1.2e-6 (1e-5: divided after epochs 2 and 3, to 2e-6 and 4e-7; 1.2e-6: once).
    @Test(arguments: [(0.1, 10), (1e-5, 4), (1.2e-6, 3)])
    func adaptiveEndsAfterAsManyEpochsAsScikitLearn(eta0: Double, sklearnEpochs: Int) throws {
        let data = blobs(samples: 60, features: 3, classes: 2, seed: 5)
        var o = TrainingOptions()
        o.learningRate = .adaptive
        o.eta0 = eta0
        o.epochs = 100
        o.tol = 10
        o.nIterNoChange = 1
        let run = try Trainer(options: o, pool: WorkerPool(workers: 1))
            .train(LinearModel(kind: .logistic, featureCount: 3, classCount: 2), on: data)
        #expect(run.epochs.count == sklearnEpochs)
        #expect(run.stopReason == .converged)
    }
}

/// The "adaptive" schedule's rule for a stall lives with the schedule.
@Suite struct AdaptiveStallTests {
    @Test func aStallDividesWhileTheRateIsAboveOneMillionth() {
        let s = LearningRateSchedule(kind: .adaptive, eta0: 0.1, powerT: 0.5, alpha: 1e-4)
        #expect(s.divisor(afterStallAt: 1) == 5)
        #expect(s.divisor(afterStallAt: 25) == 125)
        #expect(s.rate(step: 7, divisor: 25) == 0.1 / 25)
        // A rate of exactly 1e-6 is not above it: the stall ends training.
        let edge = LearningRateSchedule(kind: .adaptive, eta0: 1e-6, powerT: 0.5, alpha: 1e-4)
        #expect(edge.divisor(afterStallAt: 1) == nil)
        #expect(LearningRateSchedule(kind: .adaptive, eta0: 2e-6, powerT: 0.5, alpha: 1e-4).divisor(afterStallAt: 1) == 5)
        for kind in [LearningRateKind.constant, .invscaling, .optimal] {
            #expect(LearningRateSchedule(kind: kind, eta0: 0.1, powerT: 0.5, alpha: 1e-4).divisor(afterStallAt: 1) == nil)
        }
    }
}
