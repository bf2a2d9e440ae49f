import Testing
@testable import Learning

/// The epoch record has one decoder: a report read back from its JSON (a checkpoint's) and a
/// metrics.jsonl line read for the report page agree on every figure.
@Suite struct EpochReportTests {
    let report = EpochReport(epoch: 3, loss: 0.25, accuracy: 0.875, learningRate: 0.01, seconds: 1.5,
                             samplesPerSecond: 640, testLoss: 0.5, testAccuracy: 0.75, validationLoss: nil,
                             validationAccuracy: nil, zeroFraction: 0.125)

    @Test func aReportRoundTripsThroughBothReaders() throws {
        #expect(EpochReport(json: report.jsonValue) == report)
        let line = Array(MetricsLog.line(report).utf8)
        let m = try EpochMetrics.parseLine(line, file: "m", line: 1, previous: 2)
        #expect(m == EpochMetrics(epoch: 3, loss: 0.25, accuracy: 0.875, learningRate: 0.01, seconds: 1.5,
                                  samplesPerSecond: 640, testLoss: 0.5, testAccuracy: 0.75, zeroFraction: 0.125))
    }

    @Test func aCheckpointsReportNeedsEveryFigure() throws {
        guard case .object(var members) = report.jsonValue else { Issue.record("not an object"); return }
        members = members.map { $0.key == "loss" ? ($0.key, JSONValue.null) : $0 }
        // metrics.jsonl may hold a null loss (the report page draws a gap); a checkpoint may not.
        #expect(EpochReport(json: .object(members)) == nil)
        #expect(try EpochMetrics(json: .object(members), bad: { .training(message: $0) }).loss == nil)
        guard case .object(let all) = report.jsonValue else { return }
        #expect(EpochReport(json: .object(all.filter { $0.key != "seconds" })) == nil)
        #expect(EpochReport(json: .number(3)) == nil)
    }
}
