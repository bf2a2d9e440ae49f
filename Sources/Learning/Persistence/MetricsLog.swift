/// DIR/metrics.jsonl: one JSON object per epoch.
public enum MetricsLog {
    public static func line(_ r: EpochReport) -> String { r.jsonValue.jsonText }

    public static func text(_ reports: [EpochReport]) -> String {
        reports.map { line($0) + "\n" }.joined()
    }
}
