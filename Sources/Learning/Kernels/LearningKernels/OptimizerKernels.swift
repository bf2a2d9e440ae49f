// The elementwise update rules on flat parameters [W | b] (weightCount weights, then biases)
// with a batch's summed gradient [G | g_b] of B samples. Each applies to the elements in
// `range`, so a step runs block by block right after each block of the gradient is summed.
// `decay` is alpha times the l2 share of the penalty (Learning's `Regularization`): alpha dR/dW =
// decay * W for the l2 part. Biases are never decayed.

/// Plain regularised SGD:
///
///     W <- W - eta * (G / B + decay * W)      b <- b - eta * g_b / B
///
/// - Parameters: parameters, gradient: (weightCount + biasCount); parameters updated in place.
package func sgdStep(
    parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, range: Range<Int>, weightCount: Int,
    eta: Float, batchSize: Int, decay: Float
) {
    let invB = 1 / Float(batchSize)
    let split = min(max(weightCount, range.lowerBound), range.upperBound)
    for i in range.lowerBound..<split {
        parameters[i] -= eta * (gradient[i] * invB + decay * parameters[i])
    }
    for i in split..<range.upperBound {
        parameters[i] -= eta * gradient[i] * invB
    }
}

/// SGD with momentum mu, g = G / B + decay * W (weights) or g_b / B (biases):
///
///     v <- mu * v + g;   w <- w - eta * v          (nesterov: w <- w - eta * (g + mu * v))
///
/// - Parameters: velocity: (weightCount + biasCount), updated in place.
package func momentumStep(
    parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, velocity: UnsafeMutablePointer<Float>,
    range: Range<Int>, weightCount: Int, eta: Float, batchSize: Int, decay: Float, momentum: Float, nesterov: Bool,
    lanes: LaneWidth = .native
) {
    switch lanes {
    case .eight:
        momentumStep(SIMD8<Float>.self, parameters: parameters, gradient: gradient, velocity: velocity, range: range,
                     weightCount: weightCount, eta: eta, batchSize: batchSize, decay: decay, momentum: momentum, nesterov: nesterov)
    case .sixteen:
        momentumStep(SIMD16<Float>.self, parameters: parameters, gradient: gradient, velocity: velocity, range: range,
                     weightCount: weightCount, eta: eta, batchSize: batchSize, decay: decay, momentum: momentum, nesterov: nesterov)
    }
}

private func momentumStep<V: FloatLanes>(
    _: V.Type, parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, velocity: UnsafeMutablePointer<Float>,
    range: Range<Int>, weightCount: Int, eta: Float, batchSize: Int, decay: Float, momentum: Float, nesterov: Bool
) {
    let invB = 1 / Float(batchSize)
    // Weights (with the l2 term), then biases; a vector at a time with the scalar rule's
    // arithmetic lane by lane, so the result is the same bits as one element at a time (for
    // either width).
    let split = min(max(weightCount, range.lowerBound), range.upperBound)
    for (part, decayed) in [(range.lowerBound..<split, true), (split..<range.upperBound, false)] {
        var i = part.lowerBound
        while i + V.width <= part.upperBound {
            let w = V.load(parameters + i)
            let g = V.load(gradient + i) * invB + (decayed ? decay * w : V(repeating: 0))
            let v = momentum * V.load(velocity + i) + g
            v.store(velocity + i)
            (w - eta * (nesterov ? g + momentum * v : v)).store(parameters + i)
            i += V.width
        }
        while i < part.upperBound {
            let g = gradient[i] * invB + (decayed ? decay * parameters[i] : 0)
            let v = momentum * velocity[i] + g
            velocity[i] = v
            parameters[i] -= eta * (nesterov ? g + momentum * v : v)
            i += 1
        }
    }
}

/// Adam, with g as for momentum and c1 = 1 - b1^t, c2 = 1 - b2^t at step t:
///
///     m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2;   w <- w - eta * (m / c1) / (sqrt(v / c2) + epsilon)
///
/// - Parameters: m, v: (weightCount + biasCount), updated in place.
package func adamStep(
    parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
    v: UnsafeMutablePointer<Float>, range: Range<Int>, weightCount: Int, eta: Float, batchSize: Int, decay: Float,
    beta1: Float, beta2: Float, epsilon: Float, correction1: Float, correction2: Float, lanes: LaneWidth = .native
) {
    switch lanes {
    case .eight:
        adamStep(SIMD8<Float>.self, parameters: parameters, gradient: gradient, m: m, v: v, range: range, weightCount: weightCount,
                 eta: eta, batchSize: batchSize, decay: decay, beta1: beta1, beta2: beta2, epsilon: epsilon,
                 correction1: correction1, correction2: correction2)
    case .sixteen:
        adamStep(SIMD16<Float>.self, parameters: parameters, gradient: gradient, m: m, v: v, range: range, weightCount: weightCount,
                 eta: eta, batchSize: batchSize, decay: decay, beta1: beta1, beta2: beta2, epsilon: epsilon,
                 correction1: correction1, correction2: correction2)
    }
}

private func adamStep<V: FloatLanes>(
    _: V.Type, parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
    v: UnsafeMutablePointer<Float>, range: Range<Int>, weightCount: Int, eta: Float, batchSize: Int, decay: Float,
    beta1: Float, beta2: Float, epsilon: Float, correction1: Float, correction2: Float
) {
    let invB = 1 / Float(batchSize)
    // As momentumStep: weights, then biases, a vector at a time with the scalar arithmetic
    // (IEEE division and square root are exact per lane), the same bits as the scalar loop.
    let split = min(max(weightCount, range.lowerBound), range.upperBound)
    for (part, decayed) in [(range.lowerBound..<split, true), (split..<range.upperBound, false)] {
        var i = part.lowerBound
        while i + V.width <= part.upperBound {
            let w = V.load(parameters + i)
            let g = V.load(gradient + i) * invB + (decayed ? decay * w : V(repeating: 0))
            let mi = beta1 * V.load(m + i) + (1 - beta1) * g
            let vi = beta2 * V.load(v + i) + (1 - beta2) * g * g
            mi.store(m + i)
            vi.store(v + i)
            (w - eta * (mi / correction1) / ((vi / correction2).squareRoot() + epsilon)).store(parameters + i)
            i += V.width
        }
        while i < part.upperBound {
            let g = gradient[i] * invB + (decayed ? decay * parameters[i] : 0)
            let mi = beta1 * m[i] + (1 - beta1) * g
            let vi = beta2 * v[i] + (1 - beta2) * g * g
            m[i] = mi
            v[i] = vi
            parameters[i] -= eta * (mi / correction1) / ((vi / correction2).squareRoot() + epsilon)
            i += 1
        }
    }
}

/// The cumulative l1 truncation (Learning's `CumulativeL1`) of the weights in `range`, u the
/// total penalty so far and q what each weight has received:
///
///     w > 0:  w <- max(0, w - (u + q))      w < 0:  w <- min(0, w + (u - q))      q <- q + (w after - w before)
///
/// Elements at or past `weightCount` are biases and are left alone.
/// - Parameters: received: (weightCount) q, updated in place.
package func truncateL1(parameters: UnsafeMutablePointer<Float>, received q: UnsafeMutablePointer<Float>, range: Range<Int>,
                weightCount: Int, total u: Float) {
    let end = min(range.upperBound, weightCount)
    guard range.lowerBound < end else { return }
    for i in range.lowerBound..<end {
        let z = parameters[i]
        if z > 0 {
            parameters[i] = max(0, z - (u + q[i]))
        } else if z < 0 {
            parameters[i] = min(0, z + (u - q[i]))
        } else {
            continue
        }
        q[i] += parameters[i] - z
    }
}

/// One step of the running mean of the parameters (averaged SGD), k the steps averaged:
///
///     avg <- avg + (w - avg) / k
///
/// - Parameters: averaged, parameters: (count).
package func averageStep(averaged a: UnsafeMutablePointer<Float>, parameters w: UnsafePointer<Float>, count: Int, k: Float) {
    for i in 0..<count { a[i] += (w[i] - a[i]) / k }
}
