/// The regularised SGD step on flat parameters [W | b] with a summed gradient [G | g_b] of a
/// batch of B samples:
///
///     W <- W - eta * (G / B + alpha * dR/dW)      b <- b - eta * g_b / B
///
/// decay is alpha times the l2 share of the penalty (alpha for l2, alpha (1 - l1_ratio) for
/// elasticnet, 0 for l1 and none), so alpha dR/dW = decay * W for the l2 part; an l1 part is
/// applied afterwards by ``CumulativeL1``. The bias is not regularised. Applies to the elements in `range`, so
/// the step can run chunk by chunk right after each chunk of the gradient is summed.
/// - Parameters:
///   - parameters: (weightCount + biasCount), updated in place.
///   - gradient: same length, the batch's summed gradient.
@inline(__always)
func sgdStep(
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
