import Foundation

/// DIR/report.html: one self-contained page about a training run (inline CSS and SVG, no
/// scripts, nothing fetched) built from DIR/model.json and DIR/metrics.jsonl alone, so that
/// `minibatch report DIR` rebuilds the same page the training run wrote.
///
/// It shows the loss and accuracy per epoch of the training (running values over the epoch),
/// validation and test sets as line charts, the final model's confusion matrix as a heat map
/// with per-class precision, recall and F1, the data set's shape and class counts, timings,
/// and the resolved config. The page is also well-formed XML.
public struct TrainingReport: Sendable {
    public static let fileName = "report.html"

    public var epochs: [EpochMetrics]
    public var record: RunRecord
    /// Shown in the title: the run's folder name.
    public var name: String

    public init(epochs: [EpochMetrics], record: RunRecord, name: String) {
        self.epochs = epochs
        self.record = record
        self.name = name
    }

    /// Reads DIR/model.json and DIR/metrics.jsonl.
    public static func load(folder: String) throws(LearningError) -> TrainingReport {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            throw .data(file: folder, line: nil, message: "no such folder")
        }
        guard isFolder.boolValue else { throw .data(file: folder, line: nil, message: "not a folder") }
        let modelPath = (folder as NSString).appendingPathComponent("model.json")
        let metricsPath = (folder as NSString).appendingPathComponent("metrics.jsonl")
        let record = try RunRecord.read(path: modelPath)
        try InputFile.checkKind(metricsPath) { .data(file: metricsPath, line: nil, message: $0) }
        guard let bytes = FileManager.default.contents(atPath: metricsPath) else {
            let exists = FileManager.default.fileExists(atPath: metricsPath)
            throw .data(file: metricsPath, line: nil, message: exists ? "cannot read the file" : "no such file")
        }
        let epochs = try EpochMetrics.parseLog([UInt8](bytes), file: metricsPath)
        try MetricsLog.checkRunID([UInt8](bytes), expected: record.runID, file: metricsPath, modelFile: modelPath)
        return TrainingReport(epochs: epochs, record: record, name: name(of: folder))
    }

    /// The name a report shows for a run's folder: its last path component.
    static func name(of folder: String) -> String {
        URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
    }

    /// Builds DIR/report.html from DIR/model.json and DIR/metrics.jsonl and writes it
    /// atomically (nothing is written when either file is missing or malformed, or when they
    /// are from different runs). Holds DIR's lock meanwhile (refused while a run writes DIR)
    /// and first finishes what a killed run left (see ``RunOutput``).
    /// - Returns: the report's path.
    @discardableResult
    public static func write(folder: String) throws(LearningError) -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            throw .data(file: folder, line: nil, message: "no such folder")
        }
        guard isFolder.boolValue else { throw .data(file: folder, line: nil, message: "not a folder") }
        let lock = try FolderLock.acquire(folder: folder) { pid in
            .data(file: folder, line: nil, message: "in use by a minibatch run (process \(pid)); rebuild the report when it has ended")
        }
        defer { lock.release() }
        try RunOutput.recover(folder: folder)
        let report = try load(folder: folder)
        let path = (folder as NSString).appendingPathComponent(fileName)
        try AtomicFile.write(report.html(), to: path)
        return path
    }

    // MARK: - The page

    public func html() -> String {
        let esc = HTMLText.escape
        var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        if let id = record.runID { h += "<meta name=\"minibatch-run-id\" content=\"\(id)\"/>\n" }
        h += "<title>minibatch report: \(esc(name))</title>\n<style>\n\(Self.css)</style>\n</head>\n<body>\n<main>\n"
        h += header()
        h += cards()
        h += curves()
        h += confusion()
        h += dataSection()
        h += timings()
        h += configSection()
        h += "<footer>Written by minibatch from model.json and metrics.jsonl; <code>minibatch report DIR</code> rebuilds it.</footer>\n"
        h += "</main>\n</body>\n</html>\n"
        return h
    }

    static let css = """
    body { margin: 0; background: #f4f5f7; color: #1d2330;
           font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
    main { max-width: 1180px; margin: 0 auto; padding: 24px 24px 40px; }
    h1 { font-size: 22px; margin: 0 0 4px; }
    h2 { font-size: 16px; margin: 0 0 12px; }
    h3 { font-size: 14px; margin: 0 0 8px; }
    .sub { color: #5b6475; margin: 0 0 18px; }
    .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; margin: 0 0 18px; }
    .card { background: #fff; border: 1px solid #dde1e7; border-radius: 8px; padding: 10px 14px; }
    .card .k { color: #5b6475; font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
    .card .v { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
    .card .v.long { font-size: 15px; line-height: 1.9; }
    .warning { background: #fdecea; border: 1px solid #f1b0aa; color: #8c1d13; border-radius: 8px; padding: 8px 14px; margin: 0 0 18px; }
    .scales input { margin: 0 4px 8px 0; }
    .scales label { margin: 0 14px 8px 0; font-size: 12px; color: #3a4150; }
    .scales .log { display: none; }
    #loss-scale-log:checked ~ .log { display: block; }
    #loss-scale-log:checked ~ .linear { display: none; }
    td.mark { color: #5b6475; font-size: 12px; }
    tr.default td.json { color: #5b6475; }
    section { background: #fff; border: 1px solid #dde1e7; border-radius: 8px; padding: 16px 18px; margin: 0 0 18px; }
    .two { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 12px 24px; align-items: start; }
    figure { margin: 0; min-width: 0; }
    .note { color: #5b6475; font-size: 13px; margin: 8px 0 0; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { text-align: left; padding: 4px 12px 4px 0; border-bottom: 1px solid #eceef2; vertical-align: top; }
    th { font-weight: 600; color: #3a4150; }
    td.n, th.n { text-align: right; padding-left: 12px; }
    td.json { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
    .scroll { overflow-x: auto; }
    .config { columns: 340px 3; column-gap: 24px; }
    .config table { width: 100%; break-inside: avoid; margin: 0 0 14px; }
    .config tbody th { width: 60%; }
    tr.other td { color: #b3261e; }
    .config thead th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: #5b6475; }
    code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
    footer { color: #5b6475; font-size: 12px; }
    svg { display: block; width: 100%; height: auto; }
    svg text { font-family: system-ui, sans-serif; font-size: 11px; fill: #3a4150; }
    svg .axis-title { font-size: 12px; fill: #1d2330; }
    svg .legend text { font-size: 12px; }
    svg .grid line { stroke: #e6e8ec; stroke-width: 1; }
    svg .axis line { stroke: #8a91a0; stroke-width: 1; }
    svg path.series { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
    svg .legend line { stroke-width: 2.5; }
    svg .frame { fill: none; stroke: #8a91a0; }
    svg .row-label.unseen { fill: #b3261e; }
    svg .count { font-size: 13px; fill: #1d2330; }
    svg .count.light { fill: #ffffff; }

    """

    // MARK: Sections

    var summary: JSONValue { record.summary }

    func summaryNumber(_ key: String) -> Double? {
        if case .number(let d)? = summary[key] { return d }
        return nil
    }

    static func format(_ d: Double?, _ spec: String) -> String {
        guard let d, d.isFinite else { return "—" }
        return String(format: spec, d)
    }

    static func count(_ n: Int) -> String {
        var s = String(abs(n)), out = ""
        while s.count > 3 { out = "," + s.suffix(3) + out; s.removeLast(3) }
        return (n < 0 ? "-" : "") + s + out
    }

    func header() -> String {
        let esc = HTMLText.escape
        var facts = ["\(record.modelType) model", "\(record.classes.count) classes", "\(record.featureNames.count) features",
                     "\(epochs.count) epoch\(epochs.count == 1 ? "" : "s")"]
        let rise = lossRise
        if case .string(let reason)? = record.training["stop_reason"] {
            // "converged" only means the training loss stopped improving; beside a loss that
            // rose far above its start it would mislead.
            facts.append(rise == nil ? "stopped: \(reason)" : reason == "converged" ? "stopped: no progress (tol), not converged" : "stopped: \(reason)")
        }
        var h = "<h1>Training report: \(esc(name))</h1>\n<p class=\"sub\">\(esc(facts.joined(separator: " · ")))</p>\n"
        if let rise {
            h += "<p id=\"loss-warning\" class=\"warning\">The final \(rise.set) loss, \(Self.format(rise.last, "%.5g")), is "
                + "\(Self.format(rise.last / rise.first, "%.3g")) times its value after epoch \(rise.firstEpoch) "
                + "(\(Self.format(rise.first, "%.5g"))): training diverged or overfitted. See the learning rate per epoch below.</p>\n"
        }
        return h
    }

    /// The test loss (the training loss when there is no test set) at the last epoch that has
    /// one, when it is at least ``lossRiseFactor`` times its value at the first: a run that
    /// ended far above where it started.
    var lossRise: (set: String, first: Double, firstEpoch: Int, last: Double)? {
        for (set, k) in [("test", \EpochMetrics.testLoss), ("training", \EpochMetrics.loss)] as [(String, KeyPath<EpochMetrics, Double?>)] {
            let values = epochs.compactMap { e in e[keyPath: k].map { (e.epoch, $0) } }
            guard let first = values.first, let last = values.last else { continue }
            if values.count >= 2, first.1 > 0, last.1 >= Self.lossRiseFactor * first.1 || !last.1.isFinite {
                return (set, first.1, first.0, last.1)
            }
            return nil
        }
        return nil
    }

    /// How far above its start a final loss must be to be flagged.
    static let lossRiseFactor = 2.0

    /// The unit of every duration on the page, chosen by the longest (the training time).
    var durationUnit: DurationUnit {
        DurationUnit.forLongest([summaryNumber("train_seconds"), summaryNumber("load_seconds")].compactMap { $0 }.max())
    }

    func cards() -> String {
        var items: [(String, String)] = []
        items.append(("train accuracy", Self.format(summaryNumber("train_accuracy"), "%.4f")))
        items.append(("train loss", Self.format(summaryNumber("train_loss"), "%.5f")))
        if let acc = summaryNumber("test_accuracy") {
            items.append(("test accuracy", Self.format(acc, "%.4f")))
            items.append(("test loss", Self.format(summaryNumber("test_loss"), "%.5f")))
        }
        if let best = epochs.compactMap(\.validationAccuracy).max() {
            items.append(("best validation accuracy", Self.format(best, "%.4f")))
        }
        items.append(("epochs", String(epochs.last?.epoch ?? 0)))
        items.append(("training time", durationUnit.format(summaryNumber("train_seconds"))))
        var h = "<div class=\"cards\">\n"
        for (k, v) in items {
            // Long figures get a smaller font and may wrap, so they stay inside their card.
            let long = v.count > Self.longCardValue ? " long" : ""
            h += "<div class=\"card\"><div class=\"k\">\(HTMLText.escape(k))</div><div class=\"v\(long)\">\(HTMLText.escape(v))</div></div>\n"
        }
        return h + "</div>\n"
    }

    /// Characters from which a card's figure is set smaller.
    static let longCardValue = 9

    static let colors = (train: "#1f6fd1", validation: "#e07b00", test: "#17914a")

    func chartSeries(_ train: KeyPath<EpochMetrics, Double?>, _ validation: KeyPath<EpochMetrics, Double?>,
                     _ test: KeyPath<EpochMetrics, Double?>) -> [ChartSeries] {
        func points(_ k: KeyPath<EpochMetrics, Double?>) -> [(x: Double, y: Double?)] {
            epochs.map { (Double($0.epoch), $0[keyPath: k].flatMap { $0.isFinite ? $0 : nil }) }
        }
        return [
            ChartSeries(key: "train", name: "training (running)", color: Self.colors.train, dash: nil, points: points(train)),
            ChartSeries(key: "validation", name: "validation", color: Self.colors.validation, dash: "7 4", points: points(validation)),
            ChartSeries(key: "test", name: "test", color: Self.colors.test, dash: "2 4", points: points(test)),
        ]
    }

    func curves() -> String {
        let loss = LineChart(id: "loss-chart", title: "loss per epoch", xTitle: "epoch", yTitle: "loss (cross-entropy)",
                             series: chartSeries(\.loss, \.validationLoss, \.testLoss), includeZero: true)
        let accuracy = LineChart(id: "accuracy-chart", title: "accuracy per epoch", xTitle: "epoch", yTitle: "accuracy",
                                 series: chartSeries(\.accuracy, \.validationAccuracy, \.testAccuracy))
        var logLoss = loss
        logLoss.id = "loss-chart-log"
        logLoss.title = "loss per epoch (log scale)"
        logLoss.yTitle = "loss (cross-entropy, log scale)"
        logLoss.logarithmic = true
        let rate = LineChart(
            id: "learning-rate-chart", title: "learning rate per epoch (log scale)", xTitle: "epoch",
            yTitle: "learning rate (log scale)",
            series: [ChartSeries(key: "learning_rate", name: "learning rate at the epoch's end", color: Self.colors.train,
                                 dash: nil, points: epochs.map { (Double($0.epoch), $0.learningRate.flatMap { $0.isFinite ? $0 : nil }) })],
            height: 260, logarithmic: true)
        var h = "<section id=\"curves\">\n<h2>Loss and accuracy per epoch</h2>\n<div class=\"two\">\n"
        // The loss on a linear or a log axis: two radio buttons and CSS, no script.
        h += "<figure class=\"scales\">\n<input type=\"radio\" name=\"loss-scale\" id=\"loss-scale-linear\" checked=\"checked\"/>"
        h += "<label for=\"loss-scale-linear\">linear</label>\n<input type=\"radio\" name=\"loss-scale\" id=\"loss-scale-log\"/>"
        h += "<label for=\"loss-scale-log\">log scale</label>\n"
        h += "<div class=\"linear\">\n\(loss.svg())\n</div>\n<div class=\"log\">\n\(logLoss.svg())\n</div>\n</figure>\n"
        h += "<figure>\n\(accuracy.svg())\n</figure>\n<figure>\n\(rate.svg())\n</figure>\n</div>\n"
        h += "<p class=\"note\">Training figures are running values over each epoch (each sample scored with the weights just before the step that used it); validation and test figures are measured after the epoch. The learning rate is the one of the epoch's last step.</p>\n"
        return h + "</section>\n"
    }

    func confusion() -> String {
        let esc = HTMLText.escape
        var h = "<section id=\"confusion\">\n<h2>Confusion matrix</h2>\n"
        guard let e = record.evaluation else {
            return h + "<p class=\"note\">Not recorded: this model.json has no \"evaluation\" object (it was written by an older minibatch).</p>\n</section>\n"
        }
        let setName = e.set == "test" ? "test set" : e.set == "train" ? "training set" : e.set
        h += "<p class=\"sub\">The final model on the \(esc(setName)): \(Self.count(e.samples)) samples, accuracy \(Self.format(e.accuracy, "%.4f")), log loss \(Self.format(e.logLoss, "%.5f")).</p>\n"
        h += "<div class=\"two\">\n<figure>\n"
        let k = e.classes.count
        let summarised = k > Self.fullMapClasses
        if summarised {
            h += ConfusionSummary(record: e, bins: Self.fullMapClasses).html()
        } else {
            h += HeatMap(id: "confusion-map", rowLabels: e.trueLabels, columnLabels: e.classes, matrix: e.matrix).svg()
        }
        h += "\n</figure>\n<div class=\"scroll\">\n<table id=\"per-class\">\n<thead><tr><th>class</th><th class=\"n\">precision</th><th class=\"n\">recall</th><th class=\"n\">F1</th><th class=\"n\">support</th></tr></thead>\n<tbody>\n"
        let scores = ConfusionCell.classScores(e.cells, classes: k)
        let rows: [(String, Double, Double, Double, Int)] = zip(e.classes, scores).map { ($0, $1.precision, $1.recall, $1.f1, $1.support) }
        // Many classes: the table lists the ones with the lowest F1.
        let listed = k > Self.perClassRows
            ? Array(rows.indices.sorted { (rows[$0].3, $0) < (rows[$1].3, $1) }.prefix(Self.perClassRows).map { rows[$0] })
            : rows
        for (name, p, r, f, support) in listed {
            h += "<tr><td>\(esc(name))</td><td class=\"n\">\(Self.format(p, "%.4f"))</td><td class=\"n\">\(Self.format(r, "%.4f"))</td><td class=\"n\">\(Self.format(f, "%.4f"))</td><td class=\"n\">\(Self.count(support))</td></tr>\n"
        }
        if k > 0 {
            let n = Double(k)
            h += "<tr><th>macro average</th><td class=\"n\">\(Self.format(rows.map(\.1).reduce(0, +) / n, "%.4f"))</td><td class=\"n\">\(Self.format(rows.map(\.2).reduce(0, +) / n, "%.4f"))</td><td class=\"n\">\(Self.format(rows.map(\.3).reduce(0, +) / n, "%.4f"))</td><td class=\"n\">\(Self.count(rows.map(\.4).reduce(0, +)))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"
        if listed.count < rows.count {
            h += "<p class=\"note\">The \(listed.count) classes of lowest F1 of \(Self.count(k)); the average is over all of them, and model.json holds the whole matrix.</p>\n"
        }
        if e.trueLabels.count > k {
            h += "<p class=\"note\">Rows in red have labels the model never saw; they count as errors.</p>\n"
        }
        return h + "<p class=\"note\">Rows: true labels; columns: predicted classes; a cell's shade is its share of the row.</p>\n</div>\n</div>\n</section>\n"
    }

    /// Up to this many classes the confusion matrix is drawn cell by cell; above, as a binned
    /// map with the largest confusions listed (``ConfusionSummary``), so that the page's size
    /// and the time to write it grow with the scored rows, not the square of the classes.
    static let fullMapClasses = 50
    /// The most rows of the per-class table (above, the classes of lowest F1).
    static let perClassRows = 200

    func dataSection() -> String {
        let esc = HTMLText.escape
        func intValue(_ key: String) -> Int? {
            if case .number(let d)? = record.training[key] { return Int(d) }
            return nil
        }
        var h = "<section id=\"data\">\n<h2>Data</h2>\n<div class=\"two\">\n<div>\n<h3>Shape</h3>\n<table id=\"shape\">\n<tbody>\n"
        var shape: [(String, String)] = []
        if let n = intValue("train_samples") { shape.append(("training samples", Self.count(n))) }
        if let n = intValue("validation_samples"), n > 0 { shape.append(("validation samples", Self.count(n))) }
        if let n = intValue("test_samples") { shape.append(("test samples", Self.count(n))) }
        shape.append(("features", Self.count(record.featureNames.count)))
        shape.append(("classes", Self.count(record.classes.count)))
        if let label = record.label { shape.append(("label column", label)) }
        for (k, v) in shape { h += "<tr><th>\(esc(k))</th><td class=\"n\">\(esc(v))</td></tr>\n" }
        h += "</tbody>\n</table>\n"
        let shown = record.featureNames.prefix(24).map { "<code>\(esc($0))</code>" }.joined(separator: ", ")
        let more = record.featureNames.count > 24 ? " and \(record.featureNames.count - 24) more" : ""
        h += "<p class=\"note\">Features: \(shown)\(more).</p>\n</div>\n<div class=\"scroll\">\n<h3>Samples per class</h3>\n"
        let splits = [("train", "training"), ("validation", "validation"), ("test", "test")].compactMap { key, title in
            record.classCounts(key).map { (key, title, $0) }
        }
        if splits.isEmpty {
            h += "<p class=\"note\">Not recorded: this model.json has no class counts (it was written by an older minibatch).</p>\n"
        } else {
            h += "<table id=\"class-counts\">\n<thead><tr><th>class</th>"
            for (key, title, _) in splits { h += "<th class=\"n\" data-split=\"\(key)\">\(title)</th>" }
            h += "<th class=\"n\">total</th></tr></thead>\n<tbody>\n"
            for (c, name) in record.classes.enumerated() {
                h += "<tr><td>\(esc(name))</td>"
                var total = 0
                for (_, _, counts) in splits {
                    let n = c < counts.count ? counts[c] : 0
                    total += n
                    h += "<td class=\"n\">\(Self.count(n))</td>"
                }
                h += "<td class=\"n\">\(Self.count(total))</td></tr>\n"
            }
            // Rows of a test file whose labels are not classes of the model.
            let others = splits.map { key, _, counts in max(0, (intValue("\(key)_samples") ?? 0) - counts.reduce(0, +)) }
            if others.contains(where: { $0 > 0 }) {
                h += "<tr class=\"other\"><td>labels the model never saw</td>"
                h += others.map { "<td class=\"n\">\(Self.count($0))</td>" }.joined()
                h += "<td class=\"n\">\(Self.count(others.reduce(0, +)))</td></tr>\n"
            }
            h += "</tbody>\n</table>\n"
        }
        return h + "</div>\n</div>\n</section>\n"
    }

    func timings() -> String {
        var rows: [(String, String)] = []
        let unit = durationUnit
        rows.append(("loading and preparing the data", unit.format(summaryNumber("load_seconds"))))
        rows.append(("training", unit.format(summaryNumber("train_seconds"))))
        let secs = epochs.compactMap(\.seconds)
        if !secs.isEmpty {
            let sorted = secs.sorted()
            let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            rows.append(("epochs (sum of epoch times)", unit.format(secs.reduce(0, +))))
            rows.append(("epoch: median", unit.format(median)))
            rows.append(("epoch: fastest / slowest", unit.format(sorted.first) + " / " + unit.format(sorted.last)))
        }
        if let rate = summaryNumber("samples_per_second"), rate.isFinite {
            rows.append(("samples per second", rate >= 1000 ? Self.count(Int(rate.rounded())) : String(format: "%.4g", rate)))
        }
        if case .number(let steps)? = record.training["steps"] { rows.append(("steps", Self.count(Int(steps)))) }
        if let w = summaryNumber("workers") { rows.append(("worker threads", Self.count(Int(w)))) }
        var h = "<section id=\"timings\">\n<h2>Timings</h2>\n<div class=\"two\">\n<div>\n<table id=\"timing-table\">\n<tbody>\n"
        for (k, v) in rows { h += "<tr><th>\(HTMLText.escape(k))</th><td class=\"n\">\(HTMLText.escape(v))</td></tr>\n" }
        h += "</tbody>\n</table>\n<p class=\"note\">Epoch times cover the training steps only; test and validation scoring is not included.</p>\n</div>\n"
        let chart = LineChart(
            id: "seconds-chart", title: "\(unit.name) per epoch", xTitle: "epoch", yTitle: unit.name,
            series: [ChartSeries(key: "seconds", name: "training steps of the epoch", color: Self.colors.train, dash: nil,
                                 points: epochs.map { (Double($0.epoch), $0.seconds.flatMap { $0.isFinite ? $0 * unit.perSecond : nil }) })],
            includeZero: true, height: 260)
        h += "<figure>\n\(chart.svg())\n</figure>\n</div>\n"
        return h + "</section>\n"
    }

    func configSection() -> String {
        var h = "<section id=\"config\">\n<h2>Config</h2>\n"
        guard case .object(let top) = record.config, !top.isEmpty else {
            return h + "<p class=\"note\">Not recorded in model.json.</p>\n</section>\n"
        }
        var outputFolder: String? = nil
        if case .string(let path)? = summary["model_path"] { outputFolder = folderPart(of: path) ?? "." }
        let used = ConfigKeysUsed(config: record.config, outputFolder: outputFolder)
        h += "<div id=\"config-table\" class=\"config\">\n"
        for g in used.groups {
            h += "<table>\n<thead><tr><th colspan=\"3\">\(HTMLText.escape(g.title))</th></tr></thead>\n<tbody>\n"
            for row in g.rows {
                h += "<tr\(row.isDefault ? " class=\"default\"" : "")><th>\(HTMLText.escape(row.key))</th>"
                h += "<td class=\"json\">\(HTMLText.escape(row.value.jsonText))</td><td class=\"mark\">\(row.isDefault ? "default" : "")</td></tr>\n"
            }
            h += "</tbody>\n</table>\n"
        }
        h += "</div>\n<p class=\"note\">The keys this run's settings read, as resolved; \"default\" marks minibatch's default value. Keys the settings ignore (beta1 and beta2 with sgd, l1_ratio without elasticnet, ...) are left out.</p>\n"
        return h + "</section>\n"
    }
}
