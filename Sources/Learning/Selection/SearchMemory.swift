/// The memory a search needs: the training split held once, and per job that runs at once
/// its fold's rows (held twice while they are cut and standardised) and its model (see
/// ``MemoryBudget``). The number of jobs at once is capped so that all of it fits.
enum SearchMemory {
    /// The bytes of rows as stored.
    static func bytes<Rows: TrainingRows>(of rows: Rows) -> Double {
        if let d = rows as? Dataset { return Double(d.features.count) * 4 + Double(d.count) * 8 }
        if let s = rows as? SparseDataset {
            return Double(s.nonZeroCount) * MemoryBudget.bytesPerSparseEntry + Double(s.count) * MemoryBudget.bytesPerSparseRow
        }
        return 0
    }

    /// The bytes one (candidate, fold) job of `config` needs beyond the training split.
    static func jobBytes<Rows: TrainingRows>(_ config: Config, data: SearchData<Rows>) -> Double {
        let rows = 2 * bytes(of: data.train)
        let d = data.train.featureCount, k = data.train.classes.count
        if data.train is SparseDataset {
            // The model kind's outputs; a config whose type the data refuses counts as softmax.
            let kind = (try? Prepared<Rows>.modelKind(config.modelType, classCount: k, configFile: config.file)) ?? .softmax
            return rows + MemoryBudget.sparseLinearBytes(features: d, outputs: kind.outputCount(classes: k),
                                                         standardize: config.data.standardize, rows: 0, entries: 0,
                                                         optimizerSlots: config.training.optimizer.sparseStateSlots)
        }
        if config.modelType == .mlp {
            let t = config.training
            return rows + MemoryBudget.networkBytes(features: d, hidden: config.hidden, classes: k, batchSize: t.batchSize,
                                                    optimizerSlots: t.optimizer == .adam ? 2 : (t.momentum != 0 ? 1 : 0))
        }
        // A linear model: a few float copies of its (d + 1) k parameters.
        return rows + Double((d + 1) * k) * 4 * 6
    }

    /// The most jobs of these candidates that fit in memory at once (at least 1).
    /// - Throws: when not even one fits, naming the largest candidate's settings.
    static func maxConcurrentJobs<Rows: TrainingRows>(_ candidates: [Candidate], data: SearchData<Rows>,
                                                      available: Double) throws(LearningError) -> Int {
        let held = bytes(of: data.train) + (data.test.map { bytes(of: $0) } ?? 0)
        var largest = (bytes: 0.0, candidate: candidates.first)
        for c in candidates {
            let b = jobBytes(c.config, data: data)
            if b > largest.bytes { largest = (b, c) }
        }
        if let shortfall = MemoryBudget.shortfall(needs: held + largest.bytes, available: available) {
            let which = largest.candidate.map { $0.settings.isEmpty ? "" : " (\($0.label))" } ?? ""
            throw .data(file: data.source, line: nil, message: "the data with one cross-validation job\(which) \(shortfall)")
        }
        return max(1, Int(((available - held) / max(largest.bytes, 1)).rounded(.down)))
    }
}
