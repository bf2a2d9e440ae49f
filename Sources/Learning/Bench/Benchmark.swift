internal import LearningKernels
import DataParallel
import Foundation

/// A training workload for `minibatch bench`: a synthetic data set of a given shape and the
/// mini-batch size, trained with constant rate 0.1 and l2 penalty alpha = 1e-4.
public struct BenchmarkWorkload: Sendable, Equatable {
    public var name: String
    public var samples: Int
    public var features: Int
    public var classes: Int
    public var batchSize: Int
    /// Hidden layer sizes for an MLP workload (ReLU); empty for softmax regression.
    public var hidden: [Int] = []

    /// MNIST-sized softmax: n = 60,000, d = 784, K = 10, batch 256.
    public static let w1 = BenchmarkWorkload(name: "W1", samples: 60_000, features: 784, classes: 10, batchSize: 256)
    /// Covtype-sized, few features: n = 500,000, d = 54, K = 7, batch 128.
    public static let w2 = BenchmarkWorkload(name: "W2", samples: 500_000, features: 54, classes: 7, batchSize: 128)

    /// MNIST-sized MLP: 784-128-10 with ReLU, batch 128.
    public static let w3 = BenchmarkWorkload(name: "W3", samples: 60_000, features: 784, classes: 10, batchSize: 128,
                                             hidden: [128])

    /// "softmax" or "mlp".
    public var modelName: String { hidden.isEmpty ? "softmax" : "mlp" }

    /// FLOPs of one epoch. Softmax: forward Z = XW^T and backward G = (P - Y)^T X, 2ndK each.
    /// MLP: per layer of shape (in, out), forward and weight gradient 2 n in out each, and the
    /// input gradient 2 n in out for every layer above the first.
    public var flopsPerEpoch: Double {
        let widths = [features] + hidden + [classes]
        var perSample = 0.0
        for l in 0..<(widths.count - 1) {
            perSample += Double(l == 0 ? 4 : 6) * Double(widths[l]) * Double(widths[l + 1])
        }
        return Double(samples) * perSample
    }

    /// Trained parameters P: softmax K (d + 1); an MLP the sum over its layers of (in + 1) out.
    public var parameterCount: Int {
        let widths = [features] + hidden + [classes]
        return (0..<(widths.count - 1)).reduce(0) { $0 + (widths[$1] + 1) * widths[$1 + 1] }
    }

    /// Bytes one epoch must move from memory at the least:
    ///
    ///     bytes = 4 n d  +  4 n  +  4 n  +  2 x 4 P
    ///
    /// every row of X once (float32), its label (int32) and its place in the epoch's row
    /// order (int32), and the P parameters read once and written once. The parameters are
    /// counted once, not once per step: a model of the bench's sizes stays in the caches between
    /// steps. Per-step traffic that stays in the caches (gradients, activations) is not counted,
    /// so the bytes, and the time bound made from them, are lower bounds.
    public var bytesPerEpoch: Double {
        4 * Double(samples) * Double(features) + 8 * Double(samples) + 8 * Double(parameterCount)
    }
}

/// One worker count's figures.
public struct BenchmarkResult: Sendable {
    public var workers: Int
    /// Median wall seconds of an epoch (the first epoch is left out when there are 3 or more).
    public var epochSeconds: Double
    public var samplesPerSecond: Double
    public var gflops: Double
    /// The last epoch's running training loss.
    public var loss: Double
    /// The trained parameters, to check that every worker count gives the same bits.
    public var parameters: [Float]
}

public enum Benchmark {
    /// Float lanes per vector in this build's kernels: 16 on full-width AVX-512, else 8
    /// (chosen by the package manifest; builds of different widths can differ in the last bits).
    public static var vectorLanes: Int { laneCount }

    /// The workload as a config: Gaussian blobs of its shape, its model (softmax, or an MLP
    /// with ReLU), and `epochs` epochs at constant rate 0.1 with l2 alpha = 1e-4 and no
    /// tolerance. Errors from ``Config/validate()`` name the file "bench".
    public static func config(_ w: BenchmarkWorkload, epochs: Int, seed: UInt64 = 1) -> Config {
        var c = Config()
        c.file = "bench"
        var spec = SyntheticSpec()
        spec.samples = w.samples
        spec.features = w.features
        spec.classes = w.classes
        // Centres N(0, 1) per coordinate are about sqrt(2d) apart; noise of sqrt(d) / 2.5 puts
        // neighbouring classes about 3.5 noise deviations apart: learnable, not trivial.
        spec.noise = Double(w.features).squareRoot() / 2.5
        spec.seed = seed
        c.data.synthetic = spec
        c.modelType = w.hidden.isEmpty ? .softmax : .mlp
        c.hidden = w.hidden
        c.activation = .relu
        c.training.batchSize = w.batchSize
        c.training.epochs = epochs
        c.training.learningRate = .constant
        c.training.eta0 = 0.1
        c.training.penalty = .l2
        c.training.alpha = 1e-4
        c.training.tol = nil
        c.training.seed = 0
        return c
    }

    /// The workload's data: Gaussian blobs, standardised (not timed).
    /// The memory checks a training run makes, before anything of the workload's size is
    /// generated: the synthetic data (`data.synthetic.samples`), a network's buffers
    /// (`model.hidden`) and scoring the rows (`data.synthetic.classes`).
    public static func checkMemory(_ w: BenchmarkWorkload, epochs: Int,
                                   available: Double = MemoryBudget.physicalMemory) throws(LearningError) {
        let c = config(w, epochs: epochs)
        try PreparedData.checkMemory(c.data.synthetic!, configFile: c.file, available: available)
        let dataBytes = MemoryBudget.denseDataBytes(samples: w.samples, features: w.features)
        if !w.hidden.isEmpty {
            try TrainingJob.checkNetworkMemory(c, features: w.features, classes: w.classes, dataBytes: dataBytes,
                                               rows: w.samples, available: available)
        }
        if let shortfall = MemoryBudget.shortfall(needs: dataBytes + MemoryBudget.scoringBytes(rows: w.samples, classes: w.classes),
                                                  available: available) {
            throw .config(file: c.file, key: "data.synthetic.classes",
                          message: "scoring \(w.samples) rows for \(w.classes) classes, with the data, \(shortfall)")
        }
    }

    public static func data(_ w: BenchmarkWorkload, seed: UInt64 = 1) -> Dataset {
        let table = SyntheticData.generate(config(w, epochs: 1, seed: seed).data.synthetic!)
        var data = table.encoded(classes: table.distinctLabels)
        Standardizer(fitting: data.features, featureCount: data.featureCount).transform(&data.features)
        return data
    }

    /// Trains the workload for `epochs` epochs with each worker count.
    /// - Throws: a config error naming the key (file "bench") when the workload or `epochs`
    ///   is out of range (see ``config(_:epochs:seed:)``), before anything is trained.
    public static func run(_ w: BenchmarkWorkload, data: Dataset, epochs: Int, workers: [Int],
                           dispatch: WorkerPool.Dispatch = .team, onResult: (BenchmarkResult) -> Void = { _ in }) throws(LearningError) -> [BenchmarkResult] {
        let config = Self.config(w, epochs: epochs)
        try config.validate()
        var results: [BenchmarkResult] = []
        for n in workers {
            let pool: WorkerPool
            do { pool = try WorkerPool(workers: n, dispatch: dispatch) } catch { throw .config(file: "bench", key: "--workers", message: error.description) }
            let start: Model = w.hidden.isEmpty
                ? .linear(LinearModel(kind: .softmax, featureCount: data.featureCount, classCount: data.classes.count))
                : .mlp(MLP(featureCount: data.featureCount, hidden: w.hidden, activation: .relu, classCount: data.classes.count)
                    .initialized(seed: 0))
            let run = try Trainer(options: config.training, pool: pool).train(start, on: data)
            let times = run.epochs.map(\.seconds)
            let counted = times.count >= 3 ? Array(times.dropFirst()) : times
            let median = counted.sorted()[counted.count / 2]
            let r = BenchmarkResult(
                workers: pool.workerCount, epochSeconds: median, samplesPerSecond: Double(data.count) / median,
                gflops: w.flopsPerEpoch / median / 1e9, loss: run.epochs.last!.loss, parameters: run.model.parameters)
            results.append(r)
            onResult(r)
        }
        return results
    }
}
