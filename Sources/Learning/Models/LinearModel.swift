import DataParallel
internal import LearningKernels

/// The kind of linear classifier.
public enum LinearModelKind: String, Sendable {
    /// z = Wx + b with one row of W per class, p = softmax(z).
    case softmax
    /// One weight vector, p(positive) = sigmoid(w.x + b): softmax with the negative class's
    /// logit fixed at 0.
    case logistic
}

extension LinearModelKind {
    /// Rows of W for `k` classes: k for softmax, 1 for logistic (the negative class's logit is 0).
    public func outputCount(classes k: Int) -> Int { self == .softmax ? k : 1 }
}

/// A linear classifier with all parameters in one flat buffer: W (O, s) row-major, then b (O).
///
/// s, the row stride, is the feature count rounded up to a multiple of 8 so that the SIMD
/// kernels need no scalar tails; the padding columns are always zero (their gradient is zero
/// and the penalty keeps zero at zero).
public struct LinearModel: TrainableModel {
    public let kind: LinearModelKind
    public let featureCount: Int
    public let classCount: Int
    /// [W (outputCount, stride) | b (outputCount)].
    public internal(set) var parameters: [Float]

    /// Rows of W: K for softmax, 1 for logistic.
    public var outputCount: Int { kind.outputCount(classes: classCount) }
    /// The padded row stride of W.
    public var stride: Int { Self.stride(featureCount) }
    /// The number of weights with padding, which come first in `parameters` (the bias follows).
    public var weightCount: Int { outputCount * stride }
    public var unpaddedWeightCount: Int { outputCount * featureCount }

    static func stride(_ d: Int) -> Int { (d + laneCount - 1) / laneCount * laneCount }

    /// A model with all parameters 0.
    public init(kind: LinearModelKind, featureCount: Int, classCount: Int) {
        precondition(classCount >= 2 && featureCount >= 1)
        precondition(kind == .softmax || classCount == 2, "a logistic model has two classes")
        self.kind = kind
        self.featureCount = featureCount
        self.classCount = classCount
        let o = kind.outputCount(classes: classCount)
        parameters = [Float](repeating: 0, count: o * (Self.stride(featureCount) + 1))
    }

    /// A model with the given W (outputCount, featureCount) row-major and b (outputCount).
    public init(kind: LinearModelKind, featureCount: Int, classCount: Int, weights: [Float], bias: [Float]) {
        self.init(kind: kind, featureCount: featureCount, classCount: classCount)
        setParameters(weights: weights, bias: bias)
    }

    /// Replaces W (outputCount, featureCount) and b (outputCount).
    public mutating func setParameters(weights: [Float], bias: [Float]) {
        let d = featureCount, s = stride, o = outputCount
        precondition(weights.count == o * d && bias.count == o)
        for k in 0..<o {
            for j in 0..<d { parameters[k * s + j] = weights[k * d + j] }
        }
        for k in 0..<o { parameters[o * s + k] = bias[k] }
    }

    /// W as (outputCount, featureCount) row-major, without padding.
    public var weights: [Float] {
        let d = featureCount, s = stride
        return (0..<outputCount).flatMap { k in parameters[(k * s)..<(k * s + d)] }
    }

    /// b, one per output.
    public var bias: [Float] { Array(parameters[weightCount...]) }

    /// Forward Z = XW^T and backward dW = dZ^T X: 2 s O flops each per sample.
    var flopsPerSample: Int { 4 * stride * outputCount }

    public func score(_ data: Dataset, pool: WorkerPool) -> Scores { scoreRows(data, pool: pool) }

    /// Scratch floats one shard needs for `rows` rows: the row pointers, the gathered rows
    /// (only when rows need padding), the scores and a per-row temporary.
    public func scratchLength(rows: Int) -> Int {
        linearClassifierScratchLength(rows: rows, d: featureCount, stride: stride, o: outputCount)
    }

    /// Rows rounded up to a multiple of 4, as the forward kernel runs them.
    static func paddedRows(_ rows: Int) -> Int { paddedRowCount(rows) }

    /// Writes the gradient of the summed cross-entropy of `count` rows to `grad`:
    /// dW = (P - Y)^T X, db = sum (P - Y); with per-row weights, each row's p - y (and loss)
    /// is scaled by its weight first. One call of the kernel `linearClassifierGradient`.
    /// - Parameters:
    ///   - x: data (n, featureCount); rows: (count) row indices; labels: (count) class of each of those rows.
    ///   - weights: (count) weight of each of those rows, or nil for all 1.
    ///   - grad: (parameters.count), overwritten.
    ///   - scratch: at least `scratchLength(rows: count)` floats.
    /// - Returns: the rows' loss sum and correct predictions, with the current parameters.
    func computeGradient(
        x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: UnsafePointer<Int32>, count: Int,
        weights: UnsafePointer<Float>?, grad: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        ahead: UpcomingRows?
    ) -> (loss: Double, correct: Int) {
        parameters.withUnsafeBufferPointer { p in
            linearClassifierGradient(grad: grad, x: x, rows: rows, labels: labels, weights: weights, count: count,
                                     params: p.baseAddress!, d: featureCount, stride: stride, o: outputCount, loss: kind.loss,
                                     scratch: scratch, ahead: ahead?.prefetch(x: x, d: featureCount))
        }
    }

    /// Class probabilities, per-row losses and predicted classes for `count` rows (the kernel
    /// `linearClassifierScore`).
    /// - Parameters:
    ///   - labels: (count) class of each row, negative for a label the model does not know.
    ///   - probs: (count, classCount) output. losses: (count) output, NaN for negative labels.
    ///   - predicted: (count) output. scratch: at least `scratchLength(rows: count)` floats.
    func score(
        x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: UnsafePointer<Int32>, count: Int,
        probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Double>, predicted: UnsafeMutablePointer<Int32>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        parameters.withUnsafeBufferPointer { p in
            linearClassifierScore(probs: probs, losses: losses, predicted: predicted, x: x, rows: rows, labels: labels,
                                  count: count, params: p.baseAddress!, d: featureCount, stride: stride, o: outputCount,
                                  loss: kind.loss, scratch: scratch)
        }
    }
}

extension LinearModelKind {
    /// The kernels' name for this kind's loss.
    var loss: OutputLoss { self == .softmax ? .softmax : .sigmoid }
}
