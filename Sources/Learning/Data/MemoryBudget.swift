import Foundation

/// Pre-flight memory checks: sizes that are each within their limits can multiply to more
/// memory than the machine has (a LIBSVM index of 2^31 - 1 makes a model of 2^31 - 1
/// features; 100,000,000 synthetic samples of 1,000,000 features are 400 TB of floats). Such a
/// run is refused from its sizes, before anything of that size is allocated, instead of
/// growing until the system kills it or failing to allocate.
///
/// The estimates count what a run holds at its peak: the arrays it allocates, and model.json,
/// which holds every parameter as a JSON value (a boxed number, about 40 bytes) and as text
/// (10 to 20 bytes) while it is written. The per-unit figures are a little below the peak
/// resident memory of `minibatch train` measured on such runs (sparse: 57 bytes per weight,
/// 118 per feature and 93 more per standardised feature, at d = 5,000,000; a network of
/// 9,000,000 parameters: 113 bytes per parameter; synthetic data: 2.0 times its floats), so a
/// run that is refused would not have fitted.
public enum MemoryBudget {
    /// The machine's physical memory, in bytes.
    public static var physicalMemory: Double { Double(ProcessInfo.processInfo.physicalMemory) }

    /// Per weight of a sparse linear model: the float32 copies (the model, the trainer's
    /// weights, the state, the final model) and its entry in model.json.
    static let bytesPerSparseWeight = 56.0
    /// Per feature beside its weights: its name (a string, a JSON value and text) and the
    /// trainer's per-feature maps and checks.
    static let bytesPerSparseFeature = 110.0
    /// Per feature when standardised: the fit's float64 sums, the scaler's mean and scale as
    /// floats and in model.json.
    static let bytesPerScaledFeature = 90.0
    /// Per stored entry of CSR data (a 4-byte column and a 4-byte value), and per row (its
    /// offset, label and label text).
    static let bytesPerSparseEntry = 8.0
    static let bytesPerSparseRow = 28.0
    /// Per value of dense data: a float32, held twice at the peak (the table and its split).
    static let bytesPerDenseValue = 8.0
    /// Per parameter of a network: the float32 copies (the model, the state, the final
    /// model) and its entry in model.json; the per-shard gradients and the optimizer's
    /// buffers are counted apart.
    static let bytesPerNetworkParameter = 100.0

    /// Per weight and slot of a sparse adaptive optimizer's state (adagrad 1, ftrl 2): the
    /// float32 state, its checkpoint copy and that copy's JSON text.
    static let bytesPerSparseStateSlot = 24.0

    /// The bytes a linear model trained on sparse data needs: `features` x `outputs` weights
    /// (with `optimizerSlots` floats of optimizer state each) plus per-feature and per-entry costs.
    public static func sparseLinearBytes(features d: Int, outputs o: Int, standardize: Bool, rows: Int, entries: Int,
                                         optimizerSlots: Int = 0) -> Double {
        let perWeight = bytesPerSparseWeight + bytesPerSparseStateSlot * Double(optimizerSlots)
        let perFeature = bytesPerSparseFeature + (standardize ? bytesPerScaledFeature : 0) + perWeight * Double(o)
        return Double(d) * perFeature + Double(entries) * bytesPerSparseEntry + Double(rows) * bytesPerSparseRow
    }

    /// The bytes `samples` x `features` dense float32 values need.
    public static func denseDataBytes(samples n: Int, features d: Int) -> Double {
        Double(n) * Double(d) * bytesPerDenseValue
    }

    /// The bytes a network of these sizes needs to train with batches of `batchSize` rows:
    /// its parameters (see ``bytesPerNetworkParameter``), one gradient of them per shard of a
    /// batch, the optimizer's buffers (`optimizerSlots` floats per parameter: 2 for adam, 1
    /// for momentum), and per shard the rows' activations and their gradients (about three
    /// floats per unit and row).
    public static func networkBytes(features d: Int, hidden: [Int], classes k: Int, batchSize: Int,
                                    optimizerSlots: Int) -> Double {
        let widths = [d] + hidden + [MLP.outputCount(classes: k)]
        var parameters = 0.0, units = 0.0
        for l in 0..<(widths.count - 1) {
            parameters += Double(widths[l + 1]) * Double(LinearModel.stride(widths[l]) + 1)
            units += Double(LinearModel.stride(widths[l + 1]))
        }
        units += Double(LinearModel.stride(d))
        let shards = Double(Batches.plan(batchRows: max(batchSize, 1)).shardCount)
        let rowsPerShard = Double(Batches.maxShardRows(batchSize: max(batchSize, 1)))
        return parameters * (bytesPerNetworkParameter + 4 * shards + 4 * Double(optimizerSlots))
            + shards * rowsPerShard * units * 3 * 4
    }

    /// The bytes of scoring `rows` rows for `classes` classes at once: a float32 probability
    /// per row and class, and a loss (float64) and a predicted class per row. Scoring is the
    /// one step whose memory grows with rows x classes (training works batch by batch), so a
    /// run's final evaluation, `predict` and `evaluate` check it first.
    public static func scoringBytes(rows n: Int, classes k: Int) -> Double {
        Double(n) * (4 * Double(k) + 12)
    }

    /// Nil when `bytes` fit in `available` bytes of memory; otherwise the end of a message,
    /// "needs about ... of memory, more than this machine's ...".
    public static func shortfall(needs bytes: Double, available: Double = physicalMemory) -> String? {
        guard bytes > available else { return nil }
        return "needs about \(gigabytes(bytes)) of memory, more than this machine's \(gigabytes(available))"
    }

    /// `bytes` in decimal gigabytes with the byte count, e.g. "580.3 GB (5.8e11 bytes)".
    static func gigabytes(_ bytes: Double) -> String {
        let count = bytes < 1e12 ? String(Int64(bytes)) : String(format: "%.1e", bytes)
        return String(format: "%.1f GB", bytes / 1e9) + " (\(count) bytes)"
    }
}
