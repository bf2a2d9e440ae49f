import Foundation

/// The model a run starts from: a new one of the config's type and shape, or a warm start's.
extension TrainingJob {
    /// The model a fit on dense rows starts from: `start` (a warm start) once it is checked
    /// against the config, else a new one.
    static func startingModel(_ config: Config, data: PreparedData, from start: Model?,
                              available: Double = MemoryBudget.physicalMemory) throws(LearningError) -> Model {
        guard let start else { return try initialModel(config, data: data, available: available) }
        try checkWarmStart(config, initial: start)
        // A warm-started network trains with the same buffers as a new one of its shape.
        if let net = start.network {
            var shaped = config
            shaped.hidden = net.hidden
            try checkNetworkMemory(shaped, features: data.train.featureCount, classes: data.train.classes.count,
                                   dataBytes: Double(data.train.features.count) * 4, rows: data.train.count,
                                   available: available)
        }
        return start
    }

    /// The linear model a fit on sparse rows starts from (see the dense overload).
    static func startingModel(_ config: Config, data: PreparedSparseData, from start: Model?)
        throws(LearningError) -> LinearModel
    {
        guard let start else { return try initialLinearModel(config, data: data) }
        guard let linear = start.linear else {
            throw .config(file: config.file, key: "model.type",
                          message: "the initial model is an mlp; LIBSVM data trains linear models only")
        }
        try checkWarmStart(config, initial: start)
        return linear
    }

    /// The untrained model the config asks for: linear models start at zero, networks at
    /// seeded random weights (``MLP/initialized(seed:)`` with training.seed).
    static func initialModel(_ config: Config, data: PreparedData,
                             available: Double = MemoryBudget.physicalMemory) throws(LearningError) -> Model {
        let d = data.train.featureCount, k = data.train.classes.count
        if config.modelType == .mlp {
            try checkNetworkMemory(config, features: d, classes: k, dataBytes: Double(data.train.features.count) * 4,
                                   rows: data.train.count, available: available)
            return .mlp(MLP(featureCount: d, hidden: config.hidden, activation: config.activation, classCount: k)
                .initialized(seed: config.training.seed))
        }
        let kind = try data.modelKind(config.modelType, configFile: config.file)
        return .linear(LinearModel(kind: kind, featureCount: d, classCount: k))
    }

    /// The untrained linear model for sparse rows: all weights zero.
    static func initialLinearModel(_ config: Config, data: PreparedSparseData) throws(LearningError) -> LinearModel {
        let k = data.train.classes.count
        let kind = try data.modelKind(config.modelType, configFile: config.file)
        return LinearModel(kind: kind, featureCount: data.train.featureCount, classCount: k)
    }

    /// Refuses, before allocating it, a network whose parameters, per-shard buffers and
    /// model file, with the `dataBytes` of training data already held, need more memory than
    /// the machine has (see ``MemoryBudget``); the error names `model.hidden`.
    /// - Parameter rows: the training rows, when known: a batch never holds more of them than
    ///   there are (a batch_size of 10^9 on 150 rows needs the buffers of 150).
    static func checkNetworkMemory(_ config: Config, features d: Int, classes k: Int, dataBytes: Double, rows: Int? = nil,
                                   available: Double = MemoryBudget.physicalMemory) throws(LearningError) {
        let t = config.training
        let batch = min(t.batchSize, rows ?? t.batchSize)
        let bytes = MemoryBudget.networkBytes(features: d, hidden: config.hidden, classes: k, batchSize: batch,
                                              optimizerSlots: t.optimizer == .adam ? 2 : (t.momentum != 0 ? 1 : 0))
        guard let shortfall = MemoryBudget.shortfall(needs: bytes + dataBytes, available: available) else { return }
        throw .config(file: config.file, key: "model.hidden",
                      message: "a network of \(d) inputs, hidden layers \(config.hidden) and \(k) classes, with its data, \(shortfall)")
    }

    /// A warm start continues the saved model as it is: a config that names another model
    /// type, or another network shape, is an error.
    static func checkWarmStart(_ config: Config, initial: Model) throws(LearningError) {
        if config.modelType != .auto && config.modelType.rawValue != initial.typeName {
            throw .config(file: config.file, key: "model.type",
                          message: "\"\(config.modelType.rawValue)\" differs from the initial model's \"\(initial.typeName)\"")
        }
        if config.modelType == .mlp, let net = initial.network {
            if config.hidden != net.hidden {
                throw .config(file: config.file, key: "model.hidden",
                              message: "\(config.hidden) differs from the initial model's \(net.hidden)")
            }
            if config.activation != net.activation {
                throw .config(file: config.file, key: "model.activation",
                              message: "\"\(config.activation.rawValue)\" differs from the initial model's \"\(net.activation.rawValue)\"")
            }
        }
    }
}
