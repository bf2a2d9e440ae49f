import DataParallel

/// What every model offers its users: shapes, parameters and scoring.
///
/// All parameters live in one flat float32 buffer whose first `weightCount` elements are the
/// penalised weights (every weight matrix, padding included) and whose rest are biases, so
/// optimizers and penalties treat every model type alike.
public protocol Classifier: Sendable {
    var featureCount: Int { get }
    var classCount: Int { get }
    /// [weights | biases].
    var parameters: [Float] { get }
    /// How many leading elements of `parameters` are weights (penalised); biases follow.
    var weightCount: Int { get }
    /// The weights without the padding columns (the model's true weight count).
    var unpaddedWeightCount: Int { get }
    /// Scores every row of `data` in parallel; each row's result depends only on the row.
    func score(_ data: Dataset, pool: WorkerPool) -> Scores
}

extension Classifier {
    /// The penalised weights, padding included (padding is always zero).
    var penalizedWeights: ArraySlice<Float> { parameters[..<weightCount] }

    /// The fraction of the weights (padding not counted, biases not included) that are exactly 0.
    public var zeroWeightFraction: Double {
        let zeros = penalizedWeights.reduce(0) { $0 + ($1 == 0 ? 1 : 0) } - (weightCount - unpaddedWeightCount)
        return Double(zeros) / Double(max(unpaddedWeightCount, 1))
    }
}

/// What the trainer and the scorer need of a model: its shard kernels on flat buffers.
protocol TrainableModel: Classifier, Equatable {
    var parameters: [Float] { get set }
    /// Floating-point operations of one sample's forward and backward pass (for cost hints).
    var flopsPerSample: Int { get }
    /// Scratch floats one shard needs for `rows` rows.
    func scratchLength(rows: Int) -> Int
    /// Writes the gradient of the summed loss of `count` rows to `grad` (overwriting it): with
    /// per-row weights w, of sum_i w_i L_i.
    /// - Parameters: x (n, featureCount); rows, labels: (count); weights: (count) or nil for
    ///   all 1; grad: (parameters.count); scratch: at least `scratchLength(rows: count)` floats.
    ///   ahead: rows of x that the next shard on this thread will read, which the backward pass
    ///   prefetches (speed only: never changes a result); nil for none.
    /// - Returns: the rows' (weighted) loss sum and correct predictions, with the current parameters.
    func computeGradient(
        x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: UnsafePointer<Int32>, count: Int,
        weights: UnsafePointer<Float>?, grad: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        ahead: UpcomingRows?
    ) -> (loss: Double, correct: Int)
    /// Class probabilities (count, classCount), per-row losses (NaN for negative labels) and
    /// predicted classes for `count` rows.
    func score(
        x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: UnsafePointer<Int32>, count: Int,
        probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Double>, predicted: UnsafeMutablePointer<Int32>,
        scratch: UnsafeMutablePointer<Float>
    )
}

extension TrainableModel {
    /// The gradient with nothing to prefetch.
    func computeGradient(
        x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: UnsafePointer<Int32>, count: Int,
        weights: UnsafePointer<Float>?, grad: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) -> (loss: Double, correct: Int) {
        computeGradient(x: x, labels: labels, rows: rows, count: count, weights: weights, grad: grad, scratch: scratch,
                        ahead: nil)
    }

    /// The unweighted gradient (every row's weight 1).
    func computeGradient(
        x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: UnsafePointer<Int32>, count: Int,
        grad: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) -> (loss: Double, correct: Int) {
        computeGradient(x: x, labels: labels, rows: rows, count: count, weights: nil, grad: grad, scratch: scratch,
                        ahead: nil)
    }
}

/// Any model minibatch trains: what a model file holds.
public enum Model: Classifier, Equatable {
    case linear(LinearModel)
    case mlp(MLP)

    /// The model file's `model.type`: "softmax", "logistic" or "mlp".
    public var typeName: String {
        switch self {
        case .linear(let m): m.kind.rawValue
        case .mlp: "mlp"
        }
    }

    public var featureCount: Int {
        switch self {
        case .linear(let m): m.featureCount
        case .mlp(let m): m.featureCount
        }
    }

    public var classCount: Int {
        switch self {
        case .linear(let m): m.classCount
        case .mlp(let m): m.classCount
        }
    }

    public var parameters: [Float] {
        switch self {
        case .linear(let m): m.parameters
        case .mlp(let m): m.parameters
        }
    }

    public var weightCount: Int {
        switch self {
        case .linear(let m): m.weightCount
        case .mlp(let m): m.weightCount
        }
    }

    public var unpaddedWeightCount: Int {
        switch self {
        case .linear(let m): m.unpaddedWeightCount
        case .mlp(let m): m.unpaddedWeightCount
        }
    }

    public func score(_ data: Dataset, pool: WorkerPool) -> Scores {
        switch self {
        case .linear(let m): m.score(data, pool: pool)
        case .mlp(let m): m.score(data, pool: pool)
        }
    }

    /// The linear model, if this is one.
    public var linear: LinearModel? {
        if case .linear(let m) = self { return m }
        return nil
    }

    /// The network, if this is one.
    public var network: MLP? {
        if case .mlp(let m) = self { return m }
        return nil
    }
}
