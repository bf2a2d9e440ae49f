/// The kind of linear classifier.
public enum LinearModelKind: String, Sendable {
    /// z = Wx + b with one row of W per class, p = softmax(z).
    case softmax
    /// One weight vector, p(positive) = sigmoid(w.x + b): softmax with the negative class's
    /// logit fixed at 0.
    case logistic
}

/// A linear classifier with all parameters in one flat buffer: W (O, d) row-major, then b (O).
public struct LinearModel: Sendable, Equatable {
    public let kind: LinearModelKind
    public let featureCount: Int
    public let classCount: Int
    /// [W (outputCount, featureCount) | b (outputCount)].
    public var parameters: [Float]

    /// Rows of W: K for softmax, 1 for logistic.
    public var outputCount: Int { kind == .softmax ? classCount : 1 }
    /// The number of weights, which come first in `parameters` (the bias follows).
    public var weightCount: Int { outputCount * featureCount }

    /// A model with all parameters 0.
    public init(kind: LinearModelKind, featureCount: Int, classCount: Int) {
        precondition(classCount >= 2 && featureCount >= 1)
        precondition(kind == .softmax || classCount == 2, "a logistic model has two classes")
        self.kind = kind
        self.featureCount = featureCount
        self.classCount = classCount
        parameters = [Float](repeating: 0, count: (kind == .softmax ? classCount : 1) * (featureCount + 1))
    }

    /// W as (outputCount, featureCount) row-major.
    public var weights: ArraySlice<Float> { parameters[..<weightCount] }
    /// b, one per output.
    public var bias: ArraySlice<Float> { parameters[weightCount...] }

    /// Adds the gradient of the summed cross-entropy of `count` rows to `grad`:
    /// dW += (P - Y)^T X, db += sum (P - Y).
    /// - Parameters:
    ///   - x: data (n, featureCount); rows: (count) row indices; labels: (count) class of each of those rows.
    ///   - grad: (parameters.count), added into.
    ///   - scratch: at least count * outputCount floats.
    /// - Returns: the rows' loss sum and correct predictions, with the current parameters.
    func accumulateGradient(
        x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: UnsafePointer<Int32>, count: Int,
        grad: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) -> (loss: Double, correct: Int) {
        let d = featureCount, o = outputCount
        return parameters.withUnsafeBufferPointer { p in
            let w = p.baseAddress!, b = w + weightCount
            linearForward(z: scratch, x: x, rows: rows, count: count, w: w, b: b, d: d, o: o)
            let stats = kind == .softmax
                ? softmaxCrossEntropyForwardBackward(z: scratch, labels: labels, count: count, k: o)
                : sigmoidCrossEntropyForwardBackward(z: scratch, labels: labels, count: count)
            linearBackward(dw: grad, db: grad + weightCount, dz: scratch, x: x, rows: rows, count: count, d: d, o: o)
            return stats
        }
    }

    /// Class probabilities, per-row losses and predicted classes for `count` rows.
    /// - Parameters:
    ///   - labels: (count) class of each row, negative for a label the model does not know.
    ///   - probs: (count, classCount) output. losses: (count) output, NaN for negative labels.
    ///   - predicted: (count) output. scratch: at least `count` floats (logistic only).
    func score(
        x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: UnsafePointer<Int32>, count: Int,
        probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Double>, predicted: UnsafeMutablePointer<Int32>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let d = featureCount, o = outputCount
        parameters.withUnsafeBufferPointer { p in
            let w = p.baseAddress!, b = w + weightCount
            if kind == .softmax {
                linearForward(z: probs, x: x, rows: rows, count: count, w: w, b: b, d: d, o: o)
                softmaxScore(probs: probs, losses: losses, predicted: predicted, labels: labels, count: count, k: o)
            } else {
                linearForward(z: scratch, x: x, rows: rows, count: count, w: w, b: b, d: d, o: 1)
                sigmoidScore(probs: probs, losses: losses, predicted: predicted, z: scratch, labels: labels, count: count)
            }
        }
    }
}
