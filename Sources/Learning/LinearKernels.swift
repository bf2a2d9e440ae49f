import Foundation

// Forward/backward kernel pairs of the linear models on flat float32 buffers.
// Shapes: B rows in a batch, d features, O outputs (K classes for softmax, 1 for logistic).
// Rows are picked from the data matrix by an index list, so a shuffled mini-batch needs no copy.

/// Z = X_rows W^T + b.
/// - Parameters:
///   - z: output, (B, O).
///   - x: data matrix, (n, d); row `rows[i]` is the batch's i-th sample.
///   - rows: (B) row indices.
///   - w: weights, (O, d). b: biases, (O).
@inline(__always)
func linearForward(
    z: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, rows: UnsafePointer<Int32>, count: Int,
    w: UnsafePointer<Float>, b: UnsafePointer<Float>, d: Int, o: Int
) {
    for i in 0..<count {
        let xi = x + Int(rows[i]) * d
        for k in 0..<o {
            let wk = w + k * d
            var acc: Float = 0
            for j in 0..<d { acc += xi[j] * wk[j] }
            z[i * o + k] = acc + b[k]
        }
    }
}

/// dW += dZ^T X_rows, db += column sums of dZ.
/// - Parameters:
///   - dw: (O, d), added into. db: (O), added into.
///   - dz: (B, O), the loss gradient with respect to Z.
///   - x, rows: as in ``linearForward``.
@inline(__always)
func linearBackward(
    dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, dz: UnsafePointer<Float>,
    x: UnsafePointer<Float>, rows: UnsafePointer<Int32>, count: Int, d: Int, o: Int
) {
    for i in 0..<count {
        let xi = x + Int(rows[i]) * d
        for k in 0..<o {
            let g = dz[i * o + k]
            if g == 0 { continue }
            let dwk = dw + k * d
            for j in 0..<d { dwk[j] += g * xi[j] }
            db[k] += g
        }
    }
}

/// Softmax with cross-entropy, forward and backward in one pass over each row of Z:
/// p = softmax(z) (stable: the row's max is subtracted before exp),
/// loss = -log p_y = log(sum_k exp(z_k - m)) + m - z_y, and Z is overwritten by dL/dz = p - y.
/// - Parameters:
///   - z: (B, K), logits in, p - y out.
///   - labels: (B) class index of each row, in 0..<K.
/// - Returns: the sum of the rows' losses and the number of rows whose argmax is the label.
@inline(__always)
func softmaxCrossEntropyForwardBackward(
    z: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int32>, count: Int, k: Int
) -> (loss: Double, correct: Int) {
    var loss = 0.0
    var correct = 0
    for i in 0..<count {
        let zi = z + i * k
        let y = Int(labels[i])
        var m = zi[0]
        var arg = 0
        for c in 1..<k where zi[c] > m { m = zi[c]; arg = c }
        if arg == y { correct += 1 }
        let zy = zi[y]
        var s: Float = 0
        for c in 0..<k {
            let e = expf(zi[c] - m)
            zi[c] = e
            s += e
        }
        loss += Double(logf(s) + m - zy)
        let inv = 1 / s
        for c in 0..<k { zi[c] *= inv }
        zi[y] -= 1
    }
    return (loss, correct)
}

/// Sigmoid with binary cross-entropy, the two-class model with the negative logit fixed at 0:
/// p = sigmoid(z) = softmax(0, z)[1], loss = log(1 + exp(z)) - y z (computed without overflow),
/// and z is overwritten by dL/dz = p - y.
/// - Parameters:
///   - z: (B), logits in, p - y out.
///   - labels: (B) 0 for the negative class, 1 for the positive.
@inline(__always)
func sigmoidCrossEntropyForwardBackward(
    z: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int32>, count: Int
) -> (loss: Double, correct: Int) {
    var loss = 0.0
    var correct = 0
    for i in 0..<count {
        let zi = z[i]
        let y: Float = labels[i] == 1 ? 1 : 0
        if (zi > 0) == (y == 1) { correct += 1 }
        // log(1 + e^z) = max(z, 0) + log(1 + e^-|z|)
        loss += Double(max(zi, 0) + log1pf(expf(-abs(zi))) - y * zi)
        z[i] = sigmoid(zi) - y
    }
    return (loss, correct)
}

/// sigmoid(z) = 1 / (1 + e^-z), evaluated so that neither branch overflows.
@inline(__always)
func sigmoid(_ z: Float) -> Float {
    if z >= 0 { return 1 / (1 + expf(-z)) }
    let e = expf(z)
    return e / (1 + e)
}

/// Softmax probabilities and per-row cross-entropy for scoring (no gradient).
/// - Parameters:
///   - probs: (B, K), logits in, probabilities out.
///   - losses: (B), -log p_y, or NaN where the label is negative (not a class of the model).
///   - predicted: (B), the argmax class (the first of equal maxima).
@inline(__always)
func softmaxScore(
    probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Double>, predicted: UnsafeMutablePointer<Int32>,
    labels: UnsafePointer<Int32>, count: Int, k: Int
) {
    for i in 0..<count {
        let zi = probs + i * k
        var m = zi[0]
        var arg = 0
        for c in 1..<k where zi[c] > m { m = zi[c]; arg = c }
        predicted[i] = Int32(arg)
        let y = Int(labels[i])
        let zy = y >= 0 ? zi[y] : 0
        var s: Float = 0
        for c in 0..<k {
            let e = expf(zi[c] - m)
            zi[c] = e
            s += e
        }
        losses[i] = y >= 0 ? Double(logf(s) + m - zy) : .nan
        let inv = 1 / s
        for c in 0..<k { zi[c] *= inv }
    }
}

/// Two-column probabilities (1 - p, p) with p = sigmoid(z), and per-row cross-entropy.
/// - Parameters:
///   - z: (B) logits. probs: (B, 2) output. losses, predicted: (B) as in ``softmaxScore``.
@inline(__always)
func sigmoidScore(
    probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Double>, predicted: UnsafeMutablePointer<Int32>,
    z: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int
) {
    for i in 0..<count {
        let zi = z[i]
        let p = sigmoid(zi)
        probs[2 * i] = 1 - p
        probs[2 * i + 1] = p
        predicted[i] = zi > 0 ? 1 : 0
        let y = labels[i]
        losses[i] = y >= 0 ? Double(max(zi, 0) + log1pf(expf(-abs(zi))) - (y == 1 ? zi : 0)) : .nan
    }
}
