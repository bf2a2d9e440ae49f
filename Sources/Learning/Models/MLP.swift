import DataParallel
internal import LearningKernels

/// One dense layer's place in an ``MLP``'s flat parameters: W (outputs, stride) row-major at
/// `weightOffset`, b (outputs) at `biasOffset`. stride is `inputs` rounded up to a multiple
/// of 8; the padding columns of W are always zero.
public struct DenseLayer: Sendable, Equatable {
    public let inputs: Int
    public let outputs: Int
    let stride: Int
    let weightOffset: Int
    let biasOffset: Int
}

/// A multi-layer perceptron classifier: hidden dense layers with an ``Activation``, then a
/// softmax output layer over the K classes with cross-entropy, or, for two classes, one
/// sigmoid unit with binary cross-entropy (softmax with the negative logit fixed at 0):
///
///     A_0 = X,   A_l = f(A_{l-1} W_l^T + b_l)  (l = 1..L-1),   Z = A_{L-1} W_L^T + b_L
///
/// Backpropagation, with dZ_L = P - Y from the loss:
///
///     dW_l = dZ_l^T A_{l-1},   db_l = sum_rows dZ_l,   dZ_{l-1} = (dZ_l W_l) * f'(Z_{l-1})
///
/// Parameters are [W_1 | W_2 | ... | W_L | b_1 | ... | b_L]: every weight first, so the l2
/// penalty and the optimizers treat the first `weightCount` elements as weights, as for the
/// linear models.
public struct MLP: TrainableModel {
    public let featureCount: Int
    public let classCount: Int
    /// Units of each hidden layer, input side first.
    public let hidden: [Int]
    public let activation: Activation
    public let layers: [DenseLayer]
    public let weightCount: Int
    /// [all W | all b].
    public internal(set) var parameters: [Float]

    public var unpaddedWeightCount: Int { layers.reduce(0) { $0 + $1.inputs * $1.outputs } }

    /// Output units for `k` classes: one (a sigmoid unit) for two, else one per class (a softmax).
    public static func outputCount(classes k: Int) -> Int { k == 2 ? 1 : k }

    /// Output units: K for softmax, 1 (a sigmoid unit) for two classes.
    public var outputCount: Int { Self.outputCount(classes: classCount) }

    /// A network with every parameter 0 (see ``initialized(seed:)``).
    public init(featureCount: Int, hidden: [Int], activation: Activation, classCount: Int) {
        precondition(featureCount >= 1 && classCount >= 2 && !hidden.isEmpty && hidden.allSatisfy { $0 >= 1 })
        self.featureCount = featureCount
        self.classCount = classCount
        self.hidden = hidden
        self.activation = activation
        let widths = [featureCount] + hidden + [Self.outputCount(classes: classCount)]
        var shapes: [(inputs: Int, outputs: Int, stride: Int)] = []
        for l in 0..<(widths.count - 1) {
            shapes.append((widths[l], widths[l + 1], LinearModel.stride(widths[l])))
        }
        var offset = 0
        var weightOffsets: [Int] = []
        for s in shapes {
            weightOffsets.append(offset)
            offset += s.outputs * s.stride
        }
        weightCount = offset
        var layers: [DenseLayer] = []
        for (l, s) in shapes.enumerated() {
            layers.append(DenseLayer(inputs: s.inputs, outputs: s.outputs, stride: s.stride,
                                     weightOffset: weightOffsets[l], biasOffset: offset))
            offset += s.outputs
        }
        self.layers = layers
        parameters = [Float](repeating: 0, count: offset)
    }

    /// The same network with seeded random weights and zero biases: hidden layers by the
    /// activation's rule (He normal for relu, Glorot uniform for tanh and sigmoid), the
    /// output layer Glorot uniform. Weights are drawn layer by layer, row by row, from
    /// SplitMix64(seed ^ 0x6d6c705f696e6974), a stream apart from the shuffling's.
    public func initialized(seed: UInt64) -> MLP {
        var m = self
        var rng = SplitMix64(seed: seed ^ 0x6D6C_705F_696E_6974)
        for (l, layer) in layers.enumerated() {
            let rule = l < layers.count - 1 ? activation.initialization : .glorotUniform
            for k in 0..<layer.outputs {
                for j in 0..<layer.inputs {
                    m.parameters[layer.weightOffset + k * layer.stride + j] =
                        rule.sample(fanIn: layer.inputs, fanOut: layer.outputs, using: &rng)
                }
            }
            for k in 0..<layer.outputs { m.parameters[layer.biasOffset + k] = 0 }
        }
        return m
    }

    /// W_l as (outputs, inputs) row-major, without padding.
    public func weights(layer l: Int) -> [Float] {
        let layer = layers[l]
        return (0..<layer.outputs).flatMap { k in
            parameters[(layer.weightOffset + k * layer.stride)..<(layer.weightOffset + k * layer.stride + layer.inputs)]
        }
    }

    /// b_l.
    public func bias(layer l: Int) -> [Float] {
        Array(parameters[layers[l].biasOffset..<(layers[l].biasOffset + layers[l].outputs)])
    }

    /// Replaces W_l (outputs, inputs) and b_l.
    public mutating func setLayer(_ l: Int, weights: [Float], bias: [Float]) {
        let layer = layers[l]
        precondition(weights.count == layer.outputs * layer.inputs && bias.count == layer.outputs)
        for k in 0..<layer.outputs {
            for j in 0..<layer.inputs {
                parameters[layer.weightOffset + k * layer.stride + j] = weights[k * layer.inputs + j]
            }
        }
        for k in 0..<layer.outputs { parameters[layer.biasOffset + k] = bias[k] }
    }

    /// Every layer's forward pass and its weight gradient; the layers above the first also
    /// pass their input gradient down: 2 s O flops each.
    var flopsPerSample: Int {
        layers.enumerated().reduce(0) { sum, e in sum + (e.offset == 0 ? 4 : 6) * e.element.stride * e.element.outputs }
    }

    public func score(_ data: Dataset, pool: WorkerPool) -> Scores { scoreRows(data, pool: pool) }

    // MARK: - Shard kernels

    /// Where a shard's buffers lie in its scratch, for `rows` rows (Bp = rows rounded up to 4).
    /// Every region starts on a multiple of 16 floats (64 bytes).
    struct ScratchLayout {
        var inputPointers = 0      // Bp pointers to the input rows
        var hiddenPointers: [Int] = []  // per hidden layer, Bp pointers to its rows
        var wRows = 0              // the most outputs of a layer above the first: pointers to W's rows
        var gathered: Int? = nil   // (Bp, s_1) zero-padded input rows when d is not a multiple of 8
        var activations: [Int] = []  // per hidden layer, (Bp, its padded width): A_l, then dZ_l
        var z = 0                  // (Bp, O) output logits, then dZ
        var tmp = 0                // (Bp)
        var transposed = 0         // (O_l, B) dZ_l^T
        var inputGradient = 0      // (Bp, s_l) dA_{l-1}
        var total = 0
    }

    func scratchLayout(rows: Int) -> ScratchLayout {
        let rp = LinearModel.paddedRows(rows)
        var layout = ScratchLayout()
        var next = 0
        func take(_ floats: Int) -> Int {
            let at = next
            next += (floats + 15) / 16 * 16
            return at
        }
        layout.inputPointers = take(2 * rp)
        layout.hiddenPointers = hidden.map { _ in take(2 * rp) }
        let upper = layers.dropFirst()
        layout.wRows = take(2 * (upper.map(\.outputs).max() ?? 0))
        if layers[0].stride != featureCount { layout.gathered = take(rp * layers[0].stride) }
        layout.activations = (0..<hidden.count).map { l in take(rp * layers[l + 1].stride) }
        layout.z = take(rp * outputCount)
        layout.tmp = take(rp)
        layout.transposed = take((upper.map(\.outputs).max() ?? 0) * rp)
        layout.inputGradient = take(rp * (upper.map(\.stride).max() ?? 0))
        layout.total = next
        return layout
    }

    public func scratchLength(rows: Int) -> Int { scratchLayout(rows: rows).total }

    /// Runs the forward pass of `count` rows up to the output logits.
    /// - Returns: the input row pointers, each hidden layer's row pointers, and the logits (Bp, O).
    @inline(__always)
    private func forward(
        x: UnsafePointer<Float>, rows: UnsafePointer<Int32>, count: Int, p: UnsafePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, layout: ScratchLayout
    ) -> (input: UnsafePointer<UnsafePointer<Float>>, z: UnsafeMutablePointer<Float>) {
        let rp = LinearModel.paddedRows(count)
        func pointers(_ at: Int) -> UnsafeMutablePointer<UnsafePointer<Float>> {
            UnsafeMutableRawPointer(scratch + at).bindMemory(to: UnsafePointer<Float>.self, capacity: rp)
        }
        let input = pointers(layout.inputPointers)
        inputRowPointers(input, gathered: layout.gathered.map { scratch + $0 }, x: x, rows: rows, count: count,
                         paddedCount: rp, d: featureCount, stride: layers[0].stride)
        var below = UnsafePointer(input)
        for l in 0..<hidden.count {
            let layer = layers[l], width = layers[l + 1].stride
            let a = scratch + layout.activations[l]
            // A_l (Bp, width) = f(A_{l-1} W_l^T + b_l)
            linearForward(z: a, ldz: width, rows: below, count: rp, w: p + layer.weightOffset, b: p + layer.biasOffset,
                          stride: layer.stride, o: layer.outputs)
            activation.forward(a, rows: rp, width: layer.outputs, ld: width)
            let rowsOfA = pointers(layout.hiddenPointers[l])
            for i in 0..<rp { rowsOfA[i] = UnsafePointer(a + i &* width) }
            below = UnsafePointer(rowsOfA)
        }
        let top = layers[layers.count - 1]
        let z = scratch + layout.z
        linearForward(z: z, ldz: outputCount, rows: below, count: rp, w: p + top.weightOffset, b: p + top.biasOffset,
                      stride: top.stride, o: top.outputs)
        return (UnsafePointer(input), z)
    }

    /// Backpropagation of `count` rows into `grad`; per-row weights scale each row's dZ at the
    /// top (w_i (p_i - y_i)), which carries through every layer below.
    func computeGradient(
        x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: UnsafePointer<Int32>, count: Int,
        weights: UnsafePointer<Float>?, grad: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        ahead: UpcomingRows?
    ) -> (loss: Double, correct: Int) {
        let layout = scratchLayout(rows: count)
        let o = outputCount
        return parameters.withUnsafeBufferPointer { pb in
            let p = pb.baseAddress!
            let (input, z) = forward(x: x, rows: rows, count: count, p: p, scratch: scratch, layout: layout)
            let tmp = scratch + layout.tmp
            let stats = o == 1
                ? sigmoidCrossEntropyForwardBackward(z: z, labels: labels, count: count, weights: weights)
                : softmaxCrossEntropyForwardBackward(z: z, labels: labels, count: count, k: o, shifted: tmp, weights: weights)
            let wRows = UnsafeMutableRawPointer(scratch + layout.wRows).bindMemory(to: UnsafePointer<Float>.self,
                                                                                  capacity: max(o, hidden.max()!))
            let dA = scratch + layout.inputGradient
            // From the top layer down: dZ_l is in the logits buffer (top) or in A_l's buffer.
            for l in stride(from: layers.count - 1, through: 0, by: -1) {
                let layer = layers[l]
                let (dz, ldz) = l == layers.count - 1 ? (z, o) : (scratch + layout.activations[l], layers[l + 1].stride)
                let below = l == 0
                    ? input
                    : UnsafePointer(UnsafeMutableRawPointer(scratch + layout.hiddenPointers[l - 1])
                        .bindMemory(to: UnsafePointer<Float>.self, capacity: count))
                linearBackward(dw: grad + layer.weightOffset, db: grad + layer.biasOffset, dz: dz, ldz: ldz, rows: below,
                               count: count, stride: layer.stride, o: layer.outputs,
                               ahead: l == 0 ? ahead?.prefetch(x: x, d: featureCount) : nil)
                if l > 0 {
                    // dA_{l-1} (B, s_l) = dZ_l W_l, then dZ_{l-1} = dA_{l-1} * f'(A_{l-1}) over A_{l-1}'s buffer.
                    linearInputGradient(dx: dA, dz: dz, ldz: ldz, count: count, w: p + layer.weightOffset,
                                        stride: layer.stride, o: layer.outputs, transposed: scratch + layout.transposed,
                                        wRows: wRows)
                    activation.backward(da: dA, a: scratch + layout.activations[l - 1], rows: count, ld: layer.stride)
                }
            }
            return stats
        }
    }

    func score(
        x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: UnsafePointer<Int32>, count: Int,
        probs: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Double>, predicted: UnsafeMutablePointer<Int32>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let layout = scratchLayout(rows: count)
        let o = outputCount
        parameters.withUnsafeBufferPointer { pb in
            let (_, z) = forward(x: x, rows: rows, count: count, p: pb.baseAddress!, scratch: scratch, layout: layout)
            if o == 1 {
                sigmoidScore(probs: probs, losses: losses, predicted: predicted, z: z, labels: labels, count: count)
            } else {
                probs.update(from: z, count: count * o)
                softmaxScore(probs: probs, losses: losses, predicted: predicted, labels: labels, count: count, k: o,
                             shifted: scratch + layout.tmp)
            }
        }
    }
}
