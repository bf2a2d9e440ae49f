import Foundation

/// One line of DIR/metrics.jsonl, read back. A figure that is null or absent is nil.
public struct EpochMetrics: Sendable, Equatable {
    public var epoch: Int
    public var loss: Double?
    public var accuracy: Double?
    public var learningRate: Double?
    public var seconds: Double?
    public var samplesPerSecond: Double?
    public var testLoss: Double?
    public var testAccuracy: Double?
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// With an l1 or elasticnet penalty: the fraction of exactly-zero weights.
    public var zeroFraction: Double?

    public init(epoch: Int, loss: Double? = nil, accuracy: Double? = nil, learningRate: Double? = nil,
                seconds: Double? = nil, samplesPerSecond: Double? = nil, testLoss: Double? = nil,
                testAccuracy: Double? = nil, validationLoss: Double? = nil, validationAccuracy: Double? = nil,
                zeroFraction: Double? = nil) {
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
        self.learningRate = learningRate
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.zeroFraction = zeroFraction
    }

    /// Reads a metrics.jsonl file; errors name the file and the 1-based line.
    public static func readLog(path: String) throws(LearningError) -> [EpochMetrics] {
        try InputFile.checkKind(path) { .data(file: path, line: nil, message: $0) }
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw .data(file: path, line: nil, message: exists ? "cannot read the file" : "no such file")
        }
        return try parseLog([UInt8](data), file: path)
    }

    /// Parses metrics.jsonl text: one JSON object per line (blank lines are skipped) with an
    /// "epoch" (a whole number above the previous line's), "loss" and "accuracy" (numbers or
    /// null) and optionally the other figures (numbers or null). Other keys are ignored.
    public static func parseLog(_ bytes: [UInt8], file: String) throws(LearningError) -> [EpochMetrics] {
        var out: [EpochMetrics] = []
        for (number, line) in nonBlankLines(bytes) {
            out.append(try parseLine(line, file: file, line: number, previous: out.last?.epoch))
        }
        if out.isEmpty { throw .data(file: file, line: nil, message: "holds no epochs") }
        return out
    }

    /// The lines of a metrics.jsonl text with their 1-based numbers, a trailing CR removed,
    /// lines of only spaces and tabs left out.
    static func nonBlankLines(_ bytes: [UInt8]) -> [(number: Int, line: [UInt8])] {
        var out: [(number: Int, line: [UInt8])] = []
        var number = 0
        var start = 0
        while start < bytes.count {
            number += 1
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var line = Array(bytes[start..<end])
            start = end + 1
            if line.last == 0x0D { line.removeLast() }
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { out.append((number, line)) }
        }
        return out
    }

    static func parseLine(_ bytes: [UInt8], file: String, line: Int, previous: Int?) throws(LearningError) -> EpochMetrics {
        func bad(_ message: String) -> LearningError { .data(file: file, line: line, message: message) }
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch {
            throw bad("not valid JSON at column \(error.column): \(error.message)")
        }
        return try EpochMetrics(json: json, previous: previous, bad: bad)
    }

    /// Reads one epoch record: a line of metrics.jsonl or a report in a checkpoint (the one
    /// decoder of ``EpochReport/jsonValue``). "epoch" is a whole number >= 1 (above
    /// `previous`), "loss" and "accuracy" are present (numbers or null), the other figures
    /// numbers, null or absent; other keys are ignored.
    /// - Parameter bad: makes the error for a message.
    init(json: JSONValue, previous: Int? = nil, bad: (String) -> LearningError) throws(LearningError) {
        guard case .object = json else { throw bad("expected a JSON object, found \(json.kindName)") }
        guard case .number(let e)? = json["epoch"], e >= 1, e == e.rounded(), e < 1e15 else {
            throw bad("\"epoch\" is missing or not a whole number >= 1")
        }
        let epoch = Int(e)
        if let previous, epoch <= previous { throw bad("epoch \(epoch) does not follow epoch \(previous)") }
        func number(_ key: String, required: Bool = false) throws(LearningError) -> Double? {
            switch json[key] {
            case nil:
                if required { throw bad("\"\(key)\" is missing") }
                return nil
            case .null?: return nil
            case .number(let d)?: return d
            case let v?: throw bad("\"\(key)\" must be a number or null, found \(v.kindName)")
            }
        }
        self.init(
            epoch: epoch, loss: try number("loss", required: true), accuracy: try number("accuracy", required: true),
            learningRate: try number("learning_rate"), seconds: try number("seconds"),
            samplesPerSecond: try number("samples_per_second"), testLoss: try number("test_loss"),
            testAccuracy: try number("test_accuracy"), validationLoss: try number("validation_loss"),
            validationAccuracy: try number("validation_accuracy"), zeroFraction: try number("zero_fraction"))
    }
}
