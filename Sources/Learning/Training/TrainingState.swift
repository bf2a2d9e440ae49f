/// Everything that changes while a model trains, at a step boundary: what a checkpoint
/// holds. Training from a state continues exactly as the run that produced it would have,
/// bit for bit.
public struct TrainingState: Sendable, Equatable {
    /// The model's flat parameters, padding included. On the sparse path the weights here are
    /// V, and the model's weights are `weightScale` times them.
    public var parameters: [Float]
    /// The factor of the weights in `parameters` (the sparse path's l2 decay; see
    /// ``SparseTrainer``); 1 on the dense path.
    public var weightScale: Double
    /// The optimizer's buffers (velocity, or Adam's two moments); empty for plain SGD.
    public var optimizerBuffers: [Float]
    /// The l1 truncation's u and q (see ``CumulativeL1``); 0 and empty without an l1 part.
    public var l1Total: Double
    public var l1Received: [Float]
    /// SGD steps taken so far (the schedule's t).
    public var step: Int
    /// The epoch in progress, or the next one when `position` is 0 (1-based).
    public var epoch: Int
    /// Rows of that epoch already trained on.
    public var position: Int
    /// The shuffling generator's state at the start of that epoch.
    public var epochRandomState: UInt64
    /// The epoch's running loss sum, correct predictions and wall seconds so far.
    public var epochLossSum: Double
    public var epochCorrect: Int
    public var epochSeconds: Double
    /// The rate of the last step taken.
    public var learningRate: Double
    /// The "adaptive" schedule's divisor (5^k after k stalls).
    public var adaptiveDivisor: Double
    /// The stopping rule's best criterion (nil: none yet) and stalled epochs in a row.
    public var bestCriterion: Double?
    public var epochsWithoutImprovement: Int
    /// With early stopping: the parameters of the best validation epoch.
    public var bestParameters: [Float]?
    /// Averaged SGD: the running mean of the parameters and the steps averaged.
    public var averaged: [Float]?
    public var averagedSteps: Int
    /// Training samples seen so far.
    public var samplesSeen: Int
    /// The reports of the epochs finished so far.
    public var reports: [EpochReport]
    /// Wall seconds of training before this state (for max_seconds and the summary).
    public var elapsed: Double

    /// The state before the first step.
    init(parameters: [Float], seed: UInt64) {
        self.parameters = parameters
        weightScale = 1
        optimizerBuffers = []
        l1Total = 0
        l1Received = []
        step = 0
        epoch = 1
        position = 0
        epochRandomState = seed
        epochLossSum = 0
        epochCorrect = 0
        epochSeconds = 0
        learningRate = 0
        adaptiveDivisor = 1
        bestCriterion = nil
        epochsWithoutImprovement = 0
        bestParameters = nil
        averaged = nil
        averagedSteps = 0
        samplesSeen = 0
        reports = []
        elapsed = 0
    }
}

extension TrainingState {
    /// Checks that a state read from a checkpoint fits the run that resumes it before any step
    /// is taken: every array has the length this model and these training options give it,
    /// and the position lies inside an epoch of `rows` rows. A checkpoint edited by hand, or
    /// one of another model or options, would otherwise train wrong or trap.
    /// - Parameters:
    ///   - parameters: the model's parameter count (also that of `best_parameters` and `averaged`).
    ///   - optimizerBuffers: the optimizer's floats of state (0 for plain SGD).
    ///   - l1Received: the l1 truncation's floats (0 without an l1 part).
    ///   - averaging: whether the options average the parameters.
    /// - Throws: a model-file error naming `file` and the key, e.g. state.parameters.
    func checkFits(parameters: Int, optimizerBuffers: Int, l1Received: Int, averaging: Bool, rows: Int,
                   file: String) throws(LearningError) {
        func fail(_ message: String) -> LearningError { .modelFile(file: file, message: message) }
        func check(_ key: String, _ count: Int?, _ expected: Int?, _ why: String) throws(LearningError) {
            guard count != expected else { return }
            let has = count.map { "holds \($0) numbers" } ?? "is null"
            let needs = expected.map { "\($0) numbers" } ?? "null"
            throw fail("state.\(key) \(has); \(why) needs \(needs) (the checkpoint does not match this model and these training options)")
        }
        try check("parameters", self.parameters.count, parameters, "this model")
        try check("optimizer", self.optimizerBuffers.count, optimizerBuffers, "the optimizer")
        try check("l1_received", self.l1Received.count, l1Received, "the l1 penalty")
        try check("averaged", averaged?.count, averaging ? parameters : nil, "training.average")
        if let best = bestParameters { try check("best_parameters", best.count, parameters, "this model") }
        guard position < rows else {
            throw fail("state.position is \(position), but an epoch has \(rows) training rows (positions 0 to \(rows - 1))")
        }
    }
}

// MARK: - JSON

extension TrainingState {
    /// The state as JSON. Floats are written as the exact decimals of their float32 values
    /// and the generator state as a hexadecimal string, so reading it back restores every bit.
    public var jsonValue: JSONValue {
        func floats(_ v: [Float]) -> JSONValue { .array(v.map { .number(Double($0)) }) }
        return .object([
            ("epoch", .number(Double(epoch))),
            ("position", .number(Double(position))),
            ("step", .number(Double(step))),
            ("epoch_random_state", .string(String(epochRandomState, radix: 16))),
            ("epoch_loss_sum", .number(epochLossSum)),
            ("epoch_correct", .number(Double(epochCorrect))),
            ("epoch_seconds", .number(epochSeconds)),
            ("learning_rate", .number(learningRate)),
            ("adaptive_divisor", .number(adaptiveDivisor)),
            ("best_criterion", bestCriterion.map { .number($0) } ?? .null),
            ("epochs_without_improvement", .number(Double(epochsWithoutImprovement))),
            ("samples_seen", .number(Double(samplesSeen))),
            ("averaged_steps", .number(Double(averagedSteps))),
            ("elapsed", .number(elapsed)),
            ("l1_total", .number(l1Total)),
            ("weight_scale", .number(weightScale)),
            ("parameters", floats(parameters)),
            ("optimizer", floats(optimizerBuffers)),
            ("l1_received", floats(l1Received)),
            ("best_parameters", bestParameters.map(floats) ?? .null),
            ("averaged", averaged.map(floats) ?? .null),
            ("reports", .array(reports.map(\.jsonValue))),
        ])
    }

    /// Reads a state written by ``jsonValue``; `bad` makes the error for a missing or wrong member.
    static func decode(_ json: JSONValue, bad: (String) -> LearningError) throws(LearningError) -> TrainingState {
        func number(_ key: String) throws(LearningError) -> Double {
            guard case .number(let d)? = json[key], d.isFinite else { throw bad("state.\(key) is missing or not a number") }
            return d
        }
        func integer(_ key: String) throws(LearningError) -> Int {
            let d = try number(key)
            guard d == d.rounded(), d >= 0, d < 9e15 else { throw bad("state.\(key) is not a whole number >= 0") }
            return Int(d)
        }
        func floats(_ key: String, optional: Bool = false) throws(LearningError) -> [Float]? {
            let v = json[key]
            if optional, v == nil || v == .null { return nil }
            guard case .array(let items)? = v else { throw bad("state.\(key) is missing or not an array") }
            var out: [Float] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard case .number(let d) = item, d.isFinite else { throw bad("state.\(key) must hold finite numbers") }
                // A double beyond float32 would become infinite here, and the resumed run fail as diverged.
                guard Float(d).isFinite else {
                    throw bad("state.\(key) holds \(JSONValue.number(d).jsonText), beyond float32 (largest magnitude \(Float.greatestFiniteMagnitude))")
                }
                out.append(Float(d))
            }
            return out
        }
        var s = TrainingState(parameters: try floats("parameters")!, seed: 0)
        s.epoch = try integer("epoch")
        s.position = try integer("position")
        s.step = try integer("step")
        guard case .string(let hex)? = json["epoch_random_state"], let rs = UInt64(hex, radix: 16) else {
            throw bad("state.epoch_random_state is missing or not a hexadecimal string")
        }
        s.epochRandomState = rs
        s.epochLossSum = try number("epoch_loss_sum")
        s.epochCorrect = try integer("epoch_correct")
        s.epochSeconds = try number("epoch_seconds")
        s.learningRate = try number("learning_rate")
        s.adaptiveDivisor = try number("adaptive_divisor")
        if let v = json["best_criterion"], v != .null { s.bestCriterion = try number("best_criterion") }
        s.epochsWithoutImprovement = try integer("epochs_without_improvement")
        s.samplesSeen = try integer("samples_seen")
        s.averagedSteps = try integer("averaged_steps")
        s.elapsed = try number("elapsed")
        s.l1Total = try number("l1_total")
        // Absent in checkpoints written before the sparse path existed.
        if json["weight_scale"] != nil { s.weightScale = try number("weight_scale") }
        s.optimizerBuffers = try floats("optimizer")!
        s.l1Received = try floats("l1_received")!
        s.bestParameters = try floats("best_parameters", optional: true)
        s.averaged = try floats("averaged", optional: true)
        guard case .array(let items)? = json["reports"] else { throw bad("state.reports is missing or not an array") }
        for (i, item) in items.enumerated() {
            guard let r = EpochReport(json: item) else { throw bad("state.reports[\(i)] is not an epoch report") }
            // metrics.jsonl is written from these reports, and report.html requires epochs 1, 2, ...
            guard r.epoch == i + 1 else { throw bad("state.reports[\(i)] is epoch \(r.epoch), expected epoch \(i + 1)") }
            s.reports.append(r)
        }
        guard s.epoch >= 1, s.reports.count == s.epoch - 1 else { throw bad("state.epoch does not match its reports") }
        return s
    }
}
