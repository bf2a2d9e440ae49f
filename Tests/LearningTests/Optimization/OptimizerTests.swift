import DataParallel
import Testing
@testable import Learning

@Suite struct OptimizerTests {
    /// Runs optimizer steps on parameters [w (a weight) | b (a bias)] with the given summed
    /// gradients of a batch of `batch` samples.
    func steps(_ o: TrainingOptions, start: [Float], gradients: [[Float]], batch: Int, eta: Float, alpha: Float)
        -> [[Float]]
    {
        let opt = makeOptimizer(o, parameterCount: start.count)
        var p = start
        var history: [[Float]] = []
        for (t, g) in gradients.enumerated() {
            opt.beginStep(t + 1)
            p.withUnsafeMutableBufferPointer { pb in
                opt.step(parameters: pb.baseAddress!, gradient: g, range: 0..<start.count, weightCount: 1, eta: eta,
                         batchSize: batch, decay: alpha)
            }
            history.append(p)
        }
        return history
    }

    @Test func momentumMatchesHandArithmetic() {
        var o = TrainingOptions()
        o.momentum = 0.9
        // w = 1, b = 0.5; summed gradient (2, 4) over B = 2; alpha = 0.1, eta = 0.5.
        // Step 1: g_w = 2/2 + 0.1 * 1 = 1.1, v_w = 1.1, w = 1 - 0.55 = 0.45;
        //         g_b = 2, v_b = 2, b = 0.5 - 1 = -0.5.
        // Step 2: g_w = 1 + 0.1 * 0.45 = 1.045, v_w = 0.99 + 1.045 = 2.035, w = 0.45 - 1.0175 = -0.5675;
        //         v_b = 1.8 + 2 = 3.8, b = -0.5 - 1.9 = -2.4.
        let h = steps(o, start: [1, 0.5], gradients: [[2, 4], [2, 4]], batch: 2, eta: 0.5, alpha: 0.1)
        #expect(abs(h[0][0] - 0.45) < 1e-6 && abs(h[0][1] - -0.5) < 1e-6)
        #expect(abs(h[1][0] - -0.5675) < 1e-6 && abs(h[1][1] - -2.4) < 1e-6)
    }

    @Test func nesterovMatchesHandArithmetic() {
        var o = TrainingOptions()
        o.momentum = 0.9
        o.nesterov = true
        // Step 1: v_w = 1.1, w = 1 - 0.5 * (1.1 + 0.9 * 1.1) = -0.045; v_b = 2, b = 0.5 - 0.5 * 3.8 = -1.4.
        let h = steps(o, start: [1, 0.5], gradients: [[2, 4]], batch: 2, eta: 0.5, alpha: 0.1)
        #expect(abs(h[0][0] - -0.045) < 1e-6 && abs(h[0][1] - -1.4) < 1e-6)
    }

    @Test func adamMatchesHandArithmetic() {
        var o = TrainingOptions()
        o.optimizer = .adam
        // w = 1, alpha = 0, eta = 0.1, B = 1, gradients 2 then -1 (b1 0.9, b2 0.999, eps 1e-8).
        // Step 1: m = 0.2, v = 0.004, m^ = 2, v^ = 4, w = 1 - 0.1 * 2 / 2 = 0.9.
        // Step 2: m = 0.18 - 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996,
        //         m^ = 0.08 / 0.19, v^ = 0.004996 / 0.001999, w = 0.9 - 0.1 * 0.421053 / 1.580902 = 0.8733663.
        let h = steps(o, start: [1, 0], gradients: [[2, 0], [-1, 0]], batch: 1, eta: 0.1, alpha: 0)
        #expect(abs(h[0][0] - 0.9) < 1e-6)
        #expect(abs(h[1][0] - 0.8733663) < 1e-6)
        #expect(h[1][1] == 0)  // a zero gradient leaves Adam's step at zero
    }

    @Test func plainSGDIsTheRegularisedStep() {
        // momentum 0 is exactly sgdStep: w = 1 - 0.5 * (2/2 + 0.1 * 1) = 0.45, b = 0.5 - 0.5 * 2 = -0.5.
        let h = steps(TrainingOptions(), start: [1, 0.5], gradients: [[2, 4]], batch: 2, eta: 0.5, alpha: 0.1)
        #expect(abs(h[0][0] - 0.45) < 1e-7 && abs(h[0][1] - -0.5) < 1e-7)
    }

    @Test(arguments: [OptimizerKind.sgd, .adam])
    func optimizersAreDeterministicAcrossWorkersAndLearn(kind: OptimizerKind) throws {
        let data = blobs(samples: 500, features: 10, classes: 3, seed: 4)
        var o = TrainingOptions()
        o.optimizer = kind
        o.momentum = kind == .sgd ? 0.9 : 0
        o.learningRate = .constant
        o.eta0 = kind == .adam ? 0.01 : 0.05
        o.batchSize = 100
        o.epochs = 4
        o.tol = nil
        func train(_ workers: Int) throws -> TrainingRun<LinearModel> {
            try Trainer(options: o, pool: WorkerPool(workers: workers))
                .train(LinearModel(kind: .softmax, featureCount: 10, classCount: 3), on: data)
        }
        let one = try train(1)
        for w in [2, 3] { #expect(try train(w).model.parameters.map(\.bitPattern) == one.model.parameters.map(\.bitPattern)) }
        #expect(one.epochs.last!.loss < one.epochs.first!.loss)
    }

    @Test func configKeysAreReadAndChecked() throws {
        func decode(_ training: String) throws -> TrainingOptions {
            try Config.decode(try JSONParser.parse(Array("{\"data\": {\"train\": \"x.csv\"}, \"training\": \(training)}".utf8)),
                              file: "c.json").training
        }
        let a = try decode(#"{"optimizer": "adam", "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6}"#)
        #expect(a.optimizer == .adam && a.beta1 == 0.8 && a.beta2 == 0.99 && a.epsilon == 1e-6)
        let s = try decode(#"{"momentum": 0.9, "nesterov": true}"#)
        #expect(s.optimizer == .sgd && s.momentum == 0.9 && s.nesterov)
        for bad in [#"{"optimizer": "rmsprop"}"#, #"{"momentum": 1}"#, #"{"nesterov": true}"#, #"{"beta2": 1.5}"#,
                    #"{"epsilon": 0}"#] {
            #expect(throws: LearningError.self) { try decode(bad) }
        }
    }
}

@Suite struct AveragedSGDTests {
    func options(epochs: Int, average: Int?) -> TrainingOptions {
        var o = TrainingOptions()
        o.learningRate = .constant
        o.eta0 = 0.5
        o.batchSize = 1000  // full batch: one step per epoch
        o.shuffle = false
        o.tol = nil
        o.epochs = epochs
        o.averageAfter = average
        return o
    }

    @Test func theModelIsTheMeanOfTheIterates() throws {
        let data = blobs(samples: 90, features: 5, classes: 3, seed: 8)
        let pool = try WorkerPool(workers: 2)
        let start = LinearModel(kind: .softmax, featureCount: 5, classCount: 3)
        // The iterates w_1 ... w_4 from plain runs of 1 ... 4 steps.
        let iterates = try (1...4).map { try Trainer(options: options(epochs: $0, average: nil), pool: pool).train(start, on: data).model }
        let averaged = try Trainer(options: options(epochs: 4, average: 1), pool: pool).train(start, on: data).model
        for i in 0..<start.parameters.count {
            let mean = iterates.reduce(0.0) { $0 + Double($1.parameters[i]) } / 4
            #expect(abs(Double(averaged.parameters[i]) - mean) <= 1e-6 * (1 + abs(mean)))
        }
        // Averaging from the 181st sample on (step 3 of 90-sample steps) averages w_3 and w_4 only.
        let late = try Trainer(options: options(epochs: 4, average: 181), pool: pool).train(start, on: data).model
        for i in 0..<start.parameters.count {
            let mean = (Double(iterates[2].parameters[i]) + Double(iterates[3].parameters[i])) / 2
            #expect(abs(Double(late.parameters[i]) - mean) <= 1e-6 * (1 + abs(mean)))
        }
    }

    @Test func configAcceptsTrueOrACount() throws {
        func decode(_ v: String) throws -> Int? {
            try Config.decode(try JSONParser.parse(Array("{\"data\": {\"train\": \"x.csv\"}, \"training\": {\"average\": \(v)}}".utf8)),
                              file: "c.json").training.averageAfter
        }
        #expect(try decode("true") == 1 && decode("false") == nil && decode("10") == 10)
        #expect(throws: LearningError.self) { try decode("0") }
        #expect(throws: LearningError.self) { try decode("\"yes\"") }
    }
}
