import Foundation

/// DIR/report.html of a search: the ranking, mean validation log loss and accuracy against
/// each varied parameter with ± one standard deviation over the folds as error bars, and
/// the chosen config's test figures. One self-contained HTML file, as the training report.
public struct SearchReport: Sendable {
    public static let fileName = "report.html"
    public var result: SearchResult
    /// The best config's model trained on the whole training split, scored on the test set.
    public var test: Evaluation?
    public var name: String

    public init(result: SearchResult, test: Evaluation?, name: String) {
        self.result = result
        self.test = test
        self.name = name
    }

    /// Writes the report into `folder`; returns its path.
    @discardableResult
    public func write(folder: String) throws(LearningError) -> String {
        let path = (folder as NSString).appendingPathComponent(Self.fileName)
        try AtomicFile.makeFolder(folder)
        try AtomicFile.write(html(), to: path)
        return path
    }

    public func html() -> String {
        let esc = HTMLText.escape
        let ranking = result.ranking
        let best = result.best?.candidate
        var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        h += "<title>minibatch search: \(esc(name))</title>\n<style>\n\(TrainingReport.css)</style>\n</head>\n<body>\n<main>\n"
        h += "<h1>Search: \(esc(name))</h1>\n"
        h += "<p class=\"sub\">\(result.candidates.count) candidates, \(result.folds.count)-fold stratified cross-validation "
            + "(seed \(result.folds.seed)) on \(result.folds.assignment.count) training rows; ranked by mean validation log loss."
            + (result.isComplete ? "" : " <strong>Incomplete:</strong> some jobs have not run.") + "</p>\n"
        h += "<div class=\"cards\">"
        if let b = best, let s = result.scores[b] {
            h += card("best candidate", "\(b)") + card("mean log loss", String(format: "%.4f", s.meanLogLoss!))
                + card("mean accuracy", String(format: "%.4f", s.meanAccuracy!))
        }
        if let test {
            h += card("test log loss", String(format: "%.4f", test.logLoss)) + card("test accuracy", String(format: "%.4f", test.accuracy))
        }
        h += "</div>\n"
        let paths = result.candidates.first?.settings.map(\.path) ?? []
        if !paths.isEmpty {
            h += "<section><h2>Score against each varied parameter</h2>\n<div class=\"two\">\n"
            for (i, path) in paths.enumerated() {
                for (metric, key) in [("mean validation log loss", \CandidateScore.meanLogLoss),
                                      ("mean validation accuracy", \CandidateScore.meanAccuracy)] {
                    let sdKey = key == \CandidateScore.meanLogLoss ? \CandidateScore.sdLogLoss : \CandidateScore.sdAccuracy
                    let points = ranking.compactMap { s -> ErrorBarChart.Point? in
                        guard let m = s[keyPath: key], let sd = s[keyPath: sdKey] else { return nil }
                        return ErrorBarChart.Point(candidate: s.candidate, x: result.candidates[s.candidate].settings[i].value,
                                                   mean: m, sd: sd, best: s.candidate == best)
                    }
                    let chart = ErrorBarChart(id: "p\(i)-\(metric.hasSuffix("loss") ? "loss" : "accuracy")",
                                              title: "\(metric) against \(path)", xTitle: path, yTitle: metric, points: points)
                    h += "<figure>\(chart.svg())</figure>\n"
                }
            }
            h += "</div>\n<p class=\"note\">Each point is a candidate; its bar is ± one standard deviation over the folds. "
                + "The best candidate is red.</p></section>\n"
        }
        h += "<section><h2>Ranking</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th class=\"n\">rank</th><th class=\"n\">candidate</th>"
        for p in paths { h += "<th>\(esc(p))</th>" }
        h += "<th class=\"n\">accuracy</th><th class=\"n\">log loss</th><th class=\"n\">seconds</th><th class=\"n\">epochs</th></tr></thead>\n<tbody>\n"
        for (r, s) in ranking.enumerated() {
            h += "<tr><td class=\"n\">\(r + 1)</td><td class=\"n\">\(s.candidate)</td>"
            for v in result.candidates[s.candidate].settings { h += "<td class=\"json\">\(esc(v.value.jsonText))</td>" }
            if let a = s.meanAccuracy, let sa = s.sdAccuracy, let l = s.meanLogLoss, let sl = s.sdLogLoss {
                h += "<td class=\"n\">" + String(format: "%.4f ± %.4f", a, sa) + "</td><td class=\"n\">"
                    + String(format: "%.4f ± %.4f", l, sl) + "</td>"
            } else {
                h += "<td colspan=\"2\">failed: \(esc(s.failure ?? ""))</td>"
            }
            h += "<td class=\"n\">" + String(format: "%.2f", s.meanSeconds) + "</td><td class=\"n\">"
                + String(format: "%.1f", s.meanEpochs) + "</td></tr>\n"
        }
        h += "</tbody></table></div></section>\n"
        h += "<footer>Written by minibatch search from its scores (search.jsonl).</footer>\n</main>\n</body>\n</html>\n"
        return h
    }

    private func card(_ k: String, _ v: String) -> String {
        "<div class=\"card\"><div class=\"k\">\(HTMLText.escape(k))</div><div class=\"v\">\(HTMLText.escape(v))</div></div>"
    }
}
