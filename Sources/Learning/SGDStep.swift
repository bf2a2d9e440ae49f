/// The regularised SGD step on flat parameters [W | b] with a summed gradient [G | g_b] of a
/// batch of B samples:
///
///     W <- W - eta * (G / B + alpha * dR/dW)      b <- b - eta * g_b / B
///
/// For l2, dR/dW = W; the bias is not regularised.
/// - Parameters:
///   - parameters: (weightCount + biasCount), updated in place.
///   - gradient: same length, the batch's summed gradient.
func sgdStep(
    parameters: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>, weightCount: Int,
    eta: Float, batchSize: Int, alpha: Float, penalty: Penalty
) {
    let invB = 1 / Float(batchSize)
    let decay = alpha * penalty.l2Factor
    for i in 0..<weightCount {
        parameters[i] -= eta * (gradient[i] * invB + decay * parameters[i])
    }
    for i in weightCount..<parameters.count {
        parameters[i] -= eta * gradient[i] * invB
    }
}
