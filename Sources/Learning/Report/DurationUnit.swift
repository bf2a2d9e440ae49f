/// The one unit in which a report shows its durations, so that no "0.01 s" stands beside
/// "8.98 ms": milliseconds when the longest duration shown is under 10 s, else seconds.
struct DurationUnit: Equatable {
    /// "ms" or "s".
    let symbol: String
    /// "milliseconds" or "seconds", for axis titles.
    let name: String
    /// Units per second.
    let perSecond: Double

    static let milliseconds = DurationUnit(symbol: "ms", name: "milliseconds", perSecond: 1000)
    static let seconds = DurationUnit(symbol: "s", name: "seconds", perSecond: 1)

    /// The unit for durations up to `longest` seconds.
    static func forLongest(_ longest: Double?) -> DurationUnit {
        guard let longest, longest.isFinite else { return .seconds }
        return longest < 10 ? .milliseconds : .seconds
    }

    /// `seconds` in this unit: whole units with thousands separators from 100 on, one
    /// decimal from 10, else two; "—" when unknown.
    func format(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "—" }
        let v = seconds * perSecond
        let number: String
        if abs(v) >= 100 {
            number = TrainingReport.count(Int(v.rounded()))
        } else if abs(v) >= 10 {
            number = String(format: "%.1f", v)
        } else {
            number = String(format: "%.2f", v)
        }
        return number + " " + symbol
    }
}
