import Foundation
import Testing
@testable import Learning
#if canImport(FoundationXML)
import FoundationXML
#endif

// The training report is checked the way a reader would check it: the page is parsed as XML
// (so it must be well-formed, with all text escaped), each curve's path is mapped back through
// the axis that its tick labels show, and the values must be those of metrics.jsonl, read
// here with Foundation's JSON parser rather than the library's.

/// A minimal DOM built with Foundation's XMLParser.
final class Node {
    enum Item { case text(String), element(Node) }
    let name: String
    let attributes: [String: String]
    var items: [Item] = []
    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    var children: [Node] { items.compactMap { if case .element(let n) = $0 { return n } else { return nil } } }
    /// Direct text only (not that of child elements).
    var ownText: String { items.map { if case .text(let t) = $0 { return t } else { return "" } }.joined() }
    /// All text, in document order.
    var deepText: String { items.map { switch $0 { case .text(let t): return t; case .element(let n): return n.deepText } }.joined() }
    /// Every descendant named `name` (with a `class` containing `cls` when given).
    func all(_ name: String, class cls: String? = nil) -> [Node] {
        var out: [Node] = []
        for c in children {
            if c.name == name && (cls == nil || (c.attributes["class"] ?? "").split(separator: " ").contains(Substring(cls!))) {
                out.append(c)
            }
            out += c.all(name, class: cls)
        }
        return out
    }
    func first(id: String) -> Node? {
        for c in children {
            if c.attributes["id"] == id { return c }
            if let n = c.first(id: id) { return n }
        }
        return nil
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String) throws -> Node {
        final class Builder: NSObject, XMLParserDelegate {
            let root = Node(name: "#document", attributes: [:])
            lazy var stack: [Node] = [root]
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                let n = Node(name: name, attributes: attributes)
                stack.last!.items.append(.element(n))
                stack.append(n)
            }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                stack.removeLast()
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { stack.last!.items.append(.text(string)) }
        }
        let parser = XMLParser(data: Data(text.utf8))
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse() else {
            throw ParseError(description: "not well-formed at line \(parser.lineNumber), column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? "?")")
        }
        return builder.root
    }
}

/// A line chart read back from its SVG: ticks (value, pixel) and each series' sub-paths.
struct ReadChart {
    var xTicks: [(value: Double, px: Double)] = []
    var yTicks: [(value: Double, px: Double)] = []
    var series: [String: [[(x: Double, y: Double)]]] = [:]

    init(_ svg: Node) throws {
        for t in svg.all("text", class: "tick-x") {
            xTicks.append((try #require(Double(t.ownText), "x tick \(t.ownText)"), try #require(Double(t.attributes["x"] ?? ""))))
        }
        for t in svg.all("text", class: "tick-y") {
            yTicks.append((try #require(Double(t.ownText), "y tick \(t.ownText)"), try #require(Double(t.attributes["y"] ?? ""))))
        }
        for p in svg.all("path", class: "series") {
            let key = try #require(p.attributes["data-series"])
            var runs: [[(x: Double, y: Double)]] = []
            for token in (p.attributes["d"] ?? "").split(separator: " ") {
                let command = token.first!
                let xy = token.dropFirst().split(separator: ",").map { Double($0) }
                try #require(xy.count == 2 && xy[0] != nil && xy[1] != nil, "bad path token \(token)")
                if command == "M" { runs.append([]) } else { try #require(command == "L" && !runs.isEmpty, "bad path token \(token)") }
                runs[runs.count - 1].append((xy[0]!, xy[1]!))
            }
            series[key] = runs
        }
    }

    /// The linear map from pixels to values given by the two ticks furthest apart, and the
    /// size of one pixel in values.
    static func scale(_ ticks: [(value: Double, px: Double)]) throws -> (map: (Double) -> Double, unitsPerPixel: Double) {
        try #require(ticks.count >= 2, "an axis needs two ticks")
        let a = ticks.min { $0.px < $1.px }!, b = ticks.max { $0.px < $1.px }!
        let slope = (b.value - a.value) / (b.px - a.px)
        return ({ a.value + ($0 - a.px) * slope }, abs(slope))
    }
}

/// metrics.jsonl read with Foundation: per line, the epoch and the value of `key` (nil for null).
func metricsColumn(_ text: String, _ key: String) throws -> [(epoch: Int, value: Double?)] {
    try text.split(separator: "\n").map { line in
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let epoch = try #require(object["epoch"] as? NSNumber).intValue
        return (epoch, (object[key] as? NSNumber)?.doubleValue)
    }
}

@Suite struct TrainingReportTests {
    /// Coordinates are written with two decimals, so a point and the two ticks that define the
    /// scale are each within 0.005 px of the exact position: a value read back is within
    /// 0.015 px of the true one. The tests allow 0.02 px, in data units of the axis.
    static let pixelTolerance = 0.02

    /// Labels and feature names that must be escaped.
    static let labels = ["a<b", "\"quoted\" & co", "it's>"]
    static let features = ["<script>alert(1)</script>", "x&y", "\"z\""]

    /// A CSV with awkward names: 3 classes in turn, 3 features that separate them with overlap.
    static func csv(rows: Int) -> String {
        func field(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var text = (features + ["label"]).map(field).joined(separator: ",") + "\n"
        for i in 0..<rows {
            let k = i % 3
            let xs = (0..<3).map { (j: Int) -> Double in
                let centre: Double = Double(k) * (j == 1 ? -1.0 : 1.2)
                return centre + 1.1 * sin(Double(i) * 0.7 + Double(j) * 1.3)
            }
            text += xs.map { String(format: "%.4f", $0) }.joined(separator: ",") + "," + field(labels[k]) + "\n"
        }
        return text
    }

    /// Trains with a test split and early stopping (so every series is there) and returns the folder.
    static func train(_ dir: TempFolder, epochs: Int = 14) throws -> String {
        _ = dir.write("train.csv", csv(rows: 150))
        var c = Config()
        c.data.train = dir.file("train.csv")
        c.data.testFraction = 0.2
        c.training.epochs = epochs
        c.training.tol = nil
        c.training.earlyStopping = true
        c.training.validationFraction = 0.2
        c.training.learningRate = .constant
        c.training.eta0 = 0.05
        c.training.batchSize = 8
        c.workers = 2
        c.outputDir = dir.file("run")
        _ = try TrainingJob.run(c)
        return dir.file("run")
    }

    /// Where the series of `charts` are not drawn at the values of their metrics.jsonl
    /// columns (times `factor`): one message per difference, none when all agree.
    /// With `logY`, the y axis is read as logarithmic: tick labels and values are compared
    /// as their log10, and values <= 0 are expected to be left out.
    func curveMismatches(html: String, metrics: String, charts: [(id: String, series: [(key: String, column: String)])],
                         factor: Double = 1, logY: Bool = false) throws -> [String] {
        var problems: [String] = []
        let doc = try Node.parse(html)
        for chart in charts {
            let svg = try #require(doc.first(id: chart.id), "no chart \(chart.id)")
            var read = try ReadChart(svg)
            if logY { read.yTicks = read.yTicks.map { (log10($0.value), $0.px) } }
            let (xOf, xUnit) = try ReadChart.scale(read.xTicks)
            let (yOf, yUnit) = try ReadChart.scale(read.yTicks)
            // Every tick sits where its label says (the axis is linear).
            for t in read.yTicks where abs(yOf(t.px) - t.value) > Self.pixelTolerance * yUnit { problems.append("\(chart.id): y tick \(t.value) off its place") }
            for t in read.xTicks where abs(xOf(t.px) - t.value) > Self.pixelTolerance * xUnit { problems.append("\(chart.id): x tick \(t.value) off its place") }
            for (key, column) in chart.series {
                let expected = try metricsColumn(metrics, column).map { e in
                    (epoch: e.epoch, value: e.value.map { $0 * factor }.flatMap { logY ? ($0 > 0 ? log10($0) : nil) : $0 })
                }
                let present = expected.filter { $0.value != nil }
                guard !present.isEmpty else {
                    if read.series[key] != nil { problems.append("\(chart.id): \(key) drawn without values") }
                    continue
                }
                guard let runs = read.series[key] else { problems.append("\(chart.id): no \(key) curve"); continue }
                // One sub-path per run of epochs with values.
                var expectedRuns = 0, inRun = false
                for e in expected { if e.value != nil { if !inRun { expectedRuns += 1 }; inRun = true } else { inRun = false } }
                if runs.count != expectedRuns { problems.append("\(chart.id): \(key) has \(runs.count) sub-paths, expected \(expectedRuns)") }
                let points = runs.joined().map { (epoch: xOf($0.x), value: yOf($0.y)) }
                guard points.count == present.count else {
                    problems.append("\(chart.id): \(key) has \(points.count) points, metrics.jsonl \(present.count)")
                    continue
                }
                for (p, e) in zip(points, present) {
                    if abs(p.epoch - Double(e.epoch)) > Self.pixelTolerance * xUnit {
                        problems.append("\(chart.id): \(key) x \(p.epoch) drawn for epoch \(e.epoch)")
                    }
                    if abs(p.value - e.value!) > Self.pixelTolerance * yUnit {
                        problems.append("\(chart.id): \(key) epoch \(e.epoch): drawn \(p.value), metrics.jsonl \(e.value!)")
                    }
                }
                // The axis covers the curve.
                let ticks = read.yTicks.map(\.value), values = present.map { $0.value! }
                if ticks.min()! > values.min()! || ticks.max()! < values.max()! { problems.append("\(chart.id): \(key) leaves the axis") }
            }
        }
        return problems
    }

    func checkCurves(html: String, metrics: String, charts: [(id: String, series: [(key: String, column: String)])],
                     factor: Double = 1, logY: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let problems = try curveMismatches(html: html, metrics: metrics, charts: charts, factor: factor, logY: logY)
        #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    static let lossAndAccuracy: [(id: String, series: [(key: String, column: String)])] = [
        ("loss-chart", [("train", "loss"), ("validation", "validation_loss"), ("test", "test_loss")]),
        ("accuracy-chart", [("train", "accuracy"), ("validation", "validation_accuracy"), ("test", "test_accuracy")]),
    ]

    /// The charts on log axes: the loss again, and the learning rate.
    static let logCharts: [(id: String, series: [(key: String, column: String)])] = [
        ("loss-chart-log", [("train", "loss"), ("validation", "validation_loss"), ("test", "test_loss")]),
        ("learning-rate-chart", [("learning_rate", "learning_rate")]),
    ]

    @Test func curvesOfATrainingRunAreTheValuesOfMetricsJsonl() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let run = try Self.train(dir)
        let metrics = try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8)
        let html = try String(contentsOfFile: run + "/report.html", encoding: .utf8)
        // All three sets are in the file, so all six curves must be drawn.
        for column in ["loss", "validation_loss", "test_loss", "accuracy", "validation_accuracy", "test_accuracy"] {
            #expect(try metricsColumn(metrics, column).allSatisfy { $0.value != nil }, "\(column)")
        }
        try checkCurves(html: html, metrics: metrics, charts: Self.lossAndAccuracy)
        try checkCurves(html: html, metrics: metrics, charts: Self.logCharts, logY: true)
        #expect(try metricsColumn(metrics, "learning_rate").allSatisfy { $0.value != nil })
        try checkCurves(html: html, metrics: metrics, charts: [("seconds-chart", [("seconds", "seconds")])], factor: 1000)
        // The legend names each drawn curve.
        let doc = try Node.parse(html)
        let legend = try #require(doc.first(id: "loss-chart")?.all("g", class: "legend").first).deepText
        #expect(legend.contains("training") && legend.contains("validation") && legend.contains("test"))
        // Nothing but the three files is left in the folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: run).sorted() == ["metrics.jsonl", "model.json", "report.html"])
    }

    /// A report built from a hand-written metrics.jsonl and a model file without the newer keys.
    func report(metrics: String, model: JSONValue = Self.oldModel) throws -> (html: String, metrics: String) {
        let epochs = try EpochMetrics.parseLog(Array(metrics.utf8), file: "metrics.jsonl")
        let record = try RunRecord.decode(model, file: "model.json")
        return (TrainingReport(epochs: epochs, record: record, name: "hand").html(), metrics)
    }

    static let oldModel: JSONValue = .object([
        ("format", .string("minibatch-model")), ("version", .number(1)), ("model", .object([("type", .string("softmax"))])),
        ("label", .string("y")), ("classes", .array([.string("a"), .string("b"), .string("c")])),
        ("feature_names", .array([.string("f")])),
    ])

    @Test func gapsConstantValuesAndASingleEpochAreDrawnFaithfully() throws {
        // Validation values missing at epoch 3 (a gap), a test loss that never changes, an
        // accuracy of exactly 1 throughout, a loss spanning several powers of ten.
        var lines: [String] = []
        for e in 1...7 {
            let v = e == 3 ? "null" : String(0.5 + 0.01 * Double(e))
            lines.append("{\"epoch\":\(e),\"loss\":\(3.0 / pow(4, Double(e))),\"accuracy\":1,\"test_loss\":0.25,\"test_accuracy\":null,\"validation_loss\":\(v),\"validation_accuracy\":\(v)}")
        }
        let (html, metrics) = try report(metrics: lines.joined(separator: "\n") + "\n")
        try checkCurves(html: html, metrics: metrics, charts: Self.lossAndAccuracy)
        let doc = try Node.parse(html)
        #expect(try ReadChart(try #require(doc.first(id: "accuracy-chart"))).series["test"] == nil)

        // One epoch: each curve is a single point, still on its axes.
        let one = #"{"epoch":1,"loss":0.69,"accuracy":0.5,"test_loss":0.7,"test_accuracy":0.5}"# + "\n"
        let (html1, metrics1) = try report(metrics: one)
        try checkCurves(html: html1, metrics: metrics1, charts: Self.lossAndAccuracy)
        // Epochs that do not start at 1 and run long (no point markers).
        let long = (5...400).map { #"{"epoch":\#($0),"loss":\#(1 / Double($0)),"accuracy":\#(1 - 1 / Double($0))}"# }.joined(separator: "\n")
        let (html2, metrics2) = try report(metrics: long)
        try checkCurves(html: html2, metrics: metrics2, charts: Self.lossAndAccuracy)
    }

    @Test func theCheckRejectsAWrongCurve() throws {
        // The check above can fail: shift one drawn point by a pixel and it must notice.
        let lines = (1...5).map { #"{"epoch":\#($0),"loss":\#(1.0 / Double($0)),"accuracy":0.5}"# }.joined(separator: "\n")
        let (html, metrics) = try report(metrics: lines)
        let doc = try Node.parse(html)
        let d = try #require(doc.first(id: "loss-chart")?.all("path", class: "series").first?.attributes["d"])
        let tokens = d.split(separator: " ").map(String.init)
        let xy = tokens[2].dropFirst().split(separator: ",")
        let moved = String(tokens[2].prefix(1)) + String(xy[0]) + "," + HTMLText.px(Double(xy[1])! + 1)
        var changed = tokens
        changed[2] = moved
        let bad = html.replacingOccurrences(of: d, with: changed.joined(separator: " "))
        try #require(bad != html)
        #expect(try curveMismatches(html: html, metrics: metrics, charts: [("loss-chart", [("train", "loss")])]).isEmpty)
        let problems = try curveMismatches(html: bad, metrics: metrics, charts: [("loss-chart", [("train", "loss")])])
        // Exactly the moved point (epoch 3) is reported.
        #expect(problems.count == 1 && problems[0].hasPrefix("loss-chart: train epoch 3: drawn"), "\(problems)")
    }

    @Test func allTextIsEscapedAndThePageIsWellFormed() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let run = try Self.train(dir, epochs: 3)
        let html = try String(contentsOfFile: run + "/report.html", encoding: .utf8)
        let doc = try Node.parse(html)  // throws unless well-formed XML
        // No raw markup from the data: only escaped forms.
        #expect(!html.contains("<script"))
        #expect(!html.contains("a<b"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("a&lt;b") && html.contains("&quot;quoted&quot; &amp; co") && html.contains("it&#39;s&gt;"))
        // Read back, the text is the original names: per-class table, class counts, features.
        let perClass = try #require(doc.first(id: "per-class")).all("tr").compactMap { $0.children.first?.deepText }
        let sortedLabels = Self.labels.sorted()
        #expect(Array(perClass.dropFirst().prefix(3)) == sortedLabels)
        let counts = try #require(doc.first(id: "class-counts")).all("tr").dropFirst().compactMap { $0.children.first?.deepText }
        #expect(counts == sortedLabels)
        let codes = try #require(doc.first(id: "data")).all("code").map(\.deepText)
        #expect(codes == Self.features)
        // Heat map labels keep the text (clipped to 14 characters) and the full name as a tooltip.
        let rowTitles = try #require(doc.first(id: "confusion-map")).all("text", class: "row-label").map { $0.children.first?.deepText }
        #expect(rowTitles == sortedLabels)
    }

    @Test func thePageFetchesNothing() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let run = try Self.train(dir, epochs: 2)
        let html = try String(contentsOfFile: run + "/report.html", encoding: .utf8)
        for pattern in ["http:", "https:", "//", "src=", "href=", "url(", "@import", "<script", "<link", "<img", "<iframe", "<object"] {
            #expect(!html.lowercased().contains(pattern), "the report contains \(pattern)")
        }
        let doc = try Node.parse(html)
        #expect(doc.all("style").count == 1)
        // loss (linear and log), accuracy, learning rate, confusion matrix, seconds per epoch.
        #expect(doc.all("svg").count == 6)
    }

    @Test func heatMapAndTablesShowModelJsonFigures() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let run = try Self.train(dir, epochs: 4)
        let model = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/model.json"))) as? [String: Any])
        let evaluation = try #require(model["evaluation"] as? [String: Any])
        let matrix = try #require(evaluation["confusion_matrix"] as? [[Int]])
        let training = try #require(model["training"] as? [String: Any])
        let testSamples = try #require(training["test_samples"] as? Int)
        // The matrix is the test set's, and it agrees with the summary's test accuracy.
        #expect(evaluation["set"] as? String == "test")
        #expect(matrix.joined().reduce(0, +) == testSamples)
        let metrics = try #require(model["metrics"] as? [String: Any])
        let accuracy = try #require(metrics["test_accuracy"] as? Double)
        #expect(abs(Double((0..<3).map { matrix[$0][$0] }.reduce(0, +)) / Double(testSamples) - accuracy) < 1e-12)
        // Class counts add up to the split sizes.
        for (split, total) in [("train", training["train_samples"]), ("validation", training["validation_samples"]), ("test", training["test_samples"])] {
            let counts = try #require(training["\(split)_class_counts"] as? [Int], "\(split)")
            #expect(counts.reduce(0, +) == total as? Int, "\(split)")
        }

        let doc = try Node.parse(try String(contentsOfFile: run + "/report.html", encoding: .utf8))
        let map = try #require(doc.first(id: "confusion-map"))
        var drawn = [[Int]](repeating: [Int](repeating: -1, count: 3), count: 3)
        let cells = map.all("rect", class: "cell")
        let texts = map.all("text", class: "count").map(\.ownText)
        #expect(cells.count == 9 && texts.count == 9)
        for (cell, text) in zip(cells, texts) {
            let i = try #require(Int(cell.attributes["data-row"] ?? "")), j = try #require(Int(cell.attributes["data-col"] ?? ""))
            drawn[i][j] = try #require(Int(text))
            #expect(cell.attributes["data-count"] == text)
        }
        #expect(drawn == matrix)
        // The class-count table's columns are the recorded counts.
        let rows = try #require(doc.first(id: "class-counts")).all("tbody").first!.all("tr")
        let trainCounts = try #require(training["train_class_counts"] as? [Int])
        #expect(rows.map { Int($0.children[1].deepText.replacingOccurrences(of: ",", with: "")) } == trainCounts.map { Optional($0) })
        // The config table holds the resolved config's values.
        let configRows = try #require(doc.first(id: "config-table")).all("tbody").flatMap { $0.all("tr") }
            .map { ($0.children[0].deepText, $0.children[1].deepText) }
        #expect(configRows.contains { $0 == ("training.early_stopping", "true") })
        #expect(configRows.contains { $0 == ("training.batch_size", "8") })
        // Defaults are marked in a third cell; keys an sgd run ignores are not there.
        let marks = try #require(doc.first(id: "config-table")).all("tbody").flatMap { $0.all("tr") }
            .map { ($0.children[0].deepText, $0.children[2].deepText) }
        #expect(marks.contains { $0 == ("training.shuffle", "default") } && marks.contains { $0 == ("training.batch_size", "") })
        #expect(!configRows.contains { $0.0 == "training.beta1" || $0.0 == "training.l1_ratio" })
    }

    @Test func testLabelsTheModelNeverSawGetTheirOwnRows() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        _ = dir.write("train.csv", Self.csv(rows: 90))
        // Every fifth test row has a label that is not in the training data.
        var lines = Self.csv(rows: 40).split(separator: "\n").map(String.init)
        for i in stride(from: 1, to: lines.count, by: 5) {
            lines[i] = lines[i].components(separatedBy: ",").dropLast().joined(separator: ",") + ",\"new <one>\""
        }
        _ = dir.write("test.csv", lines.joined(separator: "\n") + "\n")
        var c = Config()
        c.data.train = dir.file("train.csv")
        c.data.test = dir.file("test.csv")
        c.training.epochs = 2
        c.outputDir = dir.file("run")
        _ = try TrainingJob.run(c)
        let doc = try Node.parse(try String(contentsOfFile: dir.file("run/report.html"), encoding: .utf8))
        let map = try #require(doc.first(id: "confusion-map"))
        let rowNames = map.all("text", class: "row-label").map { $0.children.first?.deepText ?? "" }
        #expect(rowNames == Self.labels.sorted() + ["new <one> (not a class of the model)"])
        #expect(map.all("text", class: "unseen").count == 1)
        let unseenRow = map.all("rect", class: "cell").filter { $0.attributes["data-row"] == "3" }
        #expect(unseenRow.compactMap { Int($0.attributes["data-count"] ?? "") }.reduce(0, +) == 8)
        let other = try #require(doc.first(id: "class-counts")?.all("tr", class: "other").first)
        #expect(other.children.map(\.deepText) == ["labels the model never saw", "0", "8", "8"])
    }

    @Test func rebuildingGivesTheSameBytesAndOldModelFilesStillWork() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let run = try Self.train(dir, epochs: 3)
        let written = try String(contentsOfFile: run + "/report.html", encoding: .utf8)
        try FileManager.default.removeItem(atPath: run + "/report.html")
        #expect(try TrainingReport.write(folder: run) == run + "/report.html")
        #expect(try String(contentsOfFile: run + "/report.html", encoding: .utf8) == written)

        // A model file from before "evaluation" and the class counts: SavedModel reads it, and
        // the report says what is not recorded instead of failing.
        let path = run + "/model.json"
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        guard case .object(let members) = json, case .object(let training)? = json["training"] else { Issue.record("no object"); return }
        let old: JSONValue = .object(members.filter { $0.key != "evaluation" }.map {
            $0.key == "training" ? ("training", .object(training.filter { !$0.key.hasSuffix("_class_counts") && $0.key != "validation_samples" })) : $0
        })
        let withKeys = try SavedModel.decode(json, file: path)
        let without = try SavedModel.decode(old, file: path)
        #expect(withKeys.evaluation != .null && without.evaluation == .null)
        #expect(withKeys.model.parameters == without.model.parameters)
        try AtomicFile.write(old.prettyText(), to: path)
        try TrainingReport.write(folder: run)
        let html = try String(contentsOfFile: run + "/report.html", encoding: .utf8)
        let doc = try Node.parse(html)
        #expect(doc.first(id: "confusion-map") == nil && doc.first(id: "class-counts") == nil)
        #expect(html.contains("no \"evaluation\" object") || html.contains("no &quot;evaluation&quot; object"))
        #expect(doc.first(id: "loss-chart") != nil)
    }

    @Test func savedModelRoundTripKeepsTheEvaluation() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let m = LinearModel(kind: .softmax, featureCount: 1, classCount: 2, weights: [1, 2], bias: [0, 0])
        let e: JSONValue = .object([("set", .string("train")), ("samples", .number(3)), ("classes", .array([.string("a"), .string("b")])),
                                    ("true_labels", .array([.string("a"), .string("b")])),
                                    ("confusion_matrix", .array([.array([.number(1), .number(0)]), .array([.number(1), .number(1)])]))])
        let s = SavedModel(model: m, classes: ["a", "b"], featureNames: ["f"], label: "y", scaler: nil, evaluation: e)
        try s.write(to: dir.file("model.json"))
        #expect(try SavedModel.read(path: dir.file("model.json")).evaluation == e)
        let record = try RunRecord.read(path: dir.file("model.json"))
        #expect(record.evaluation?.matrix == [[1, 0], [1, 1]] && record.evaluation?.samples == 3)
    }

    func metricsError(_ text: String) -> LearningError? {
        do { _ = try EpochMetrics.parseLog(Array(text.utf8), file: "m.jsonl"); return nil } catch { return error }
    }

    @Test func malformedMetricsLinesAreErrorsNamingTheLine() throws {
        let good = #"{"epoch":1,"loss":0.5,"accuracy":0.5}"#
        let cases: [(String, Int?, String)] = [
            ("\(good)\n{\"epoch\":2,\"loss\":0.4,\n", 2, "not valid JSON"),
            ("\(good)\n\n[1, 2]\n", 3, "expected a JSON object"),
            ("\(good)\n{\"epoch\":1,\"loss\":0.4,\"accuracy\":0.5}\n", 2, "does not follow epoch 1"),
            ("\(good)\n{\"epoch\":2.5,\"loss\":0.4,\"accuracy\":0.5}\n", 2, "\"epoch\""),
            (#"{"epoch":1,"loss":"low","accuracy":0.5}"#, 1, "\"loss\" must be a number or null, found a string"),
            (#"{"epoch":1,"accuracy":0.5}"#, 1, "\"loss\" is missing"),
            (#"{"epoch":1,"loss":0.5,"accuracy":0.5,"test_loss":true}"#, 1, "\"test_loss\""),
            ("\n\n", nil, "holds no epochs"),
        ]
        for (text, line, fragment) in cases {
            let e = try #require(metricsError(text), "accepted: \(text)")
            guard case .data(let file, let l, let message) = e else { Issue.record("wrong error \(e)"); continue }
            #expect(file == "m.jsonl" && l == line, "\(e)")
            #expect(message.contains(fragment), "\(e)")
            #expect(e.isInputError)
        }
        // Null figures, unknown keys, CRLF line ends and blank lines are fine.
        let ok = try EpochMetrics.parseLog(Array("\(good)\r\n\r\n{\"epoch\":3,\"loss\":null,\"accuracy\":1,\"extra\":\"x\"}\r\n".utf8), file: "m")
        #expect(ok == [EpochMetrics(epoch: 1, loss: 0.5, accuracy: 0.5), EpochMetrics(epoch: 3, loss: nil, accuracy: 1)])
    }

    @Test func malformedRecordsInModelJsonAreErrorsNamingTheKey() throws {
        func error(_ change: (inout [(key: String, value: JSONValue)]) -> Void) -> String? {
            guard case .object(var members) = Self.oldModel else { return nil }
            change(&members)
            do { _ = try RunRecord.decode(.object(members), file: "model.json"); return nil } catch { return error.description }
        }
        let matrix: JSONValue = .array([.array([.number(1), .number(0)]), .array([.number(0), .number(2)])])
        func evaluation(_ m: JSONValue, samples: Double = 3) -> JSONValue {
            .object([("set", .string("test")), ("samples", .number(samples)), ("classes", .array([.string("a"), .string("b")])),
                     ("true_labels", .array([.string("a"), .string("b")])), ("confusion_matrix", m)])
        }
        #expect(error { _ in } == nil)
        #expect(error { $0.append(("evaluation", evaluation(matrix))) } == nil)
        #expect(error { $0.append(("evaluation", evaluation(.array([.array([.number(1)])])))) }?.contains("evaluation.confusion_matrix") == true)
        #expect(error { $0.append(("evaluation", evaluation(matrix, samples: 4))) }?.contains("counts 3 samples") == true)
        #expect(error { $0.append(("evaluation", .array([]))) }?.contains("\"evaluation\" must be an object") == true)
        #expect(error { $0.append(("training", .object([("train_class_counts", .array([.number(1)]))]))) }?
            .contains("training.train_class_counts") == true)
        #expect(error { $0.append(("training", .object([("test_class_counts", .array([.number(1), .number(-2), .number(3)]))]))) }?
            .contains("whole numbers >= 0") == true)
        #expect(error { $0 = $0.map { $0.key == "version" ? ("version", .number(9)) : $0 } }?.contains("newer") == true)
        #expect(error { $0 = $0.filter { $0.key != "classes" } }?.contains("\"classes\"") == true)
    }

    @Test func aLearningRateFarFromTheConfigsIsPlainOnItsLogAxis() throws {
        // A schedule that ran at 9.6 for three epochs, then 0.001: four decades apart.
        let lines = (1...6).map { e in
            #"{"epoch":\#(e),"loss":\#(1.0 / Double(e)),"accuracy":0.5,"learning_rate":\#(e <= 3 ? 9.6 : 0.001)}"#
        }.joined(separator: "\n")
        let (html, metrics) = try report(metrics: lines)
        try checkCurves(html: html, metrics: metrics, charts: [("learning-rate-chart", [("learning_rate", "learning_rate")])], logY: true)
        let read = try ReadChart(try #require(try Node.parse(html).first(id: "learning-rate-chart")))
        #expect(read.yTicks.map(\.value) == [0.001, 0.01, 0.1, 1, 10])
        // The check fails for a curve drawn on a linear reading of the same axis.
        #expect(try !curveMismatches(html: html, metrics: metrics, charts: [("learning-rate-chart", [("learning_rate", "learning_rate")])]).isEmpty)
    }

    @Test func theLossHasALogScaleToggleWithoutScript() throws {
        // A loss that falls from 2 to 0.0002: flat near 0 on a linear axis, a line on a log one.
        let lines = (1...5).map { #"{"epoch":\#($0),"loss":\#(2 / pow(10, Double($0 - 1))),"accuracy":0.9}"# }.joined(separator: "\n")
        let (html, metrics) = try report(metrics: lines)
        try checkCurves(html: html, metrics: metrics, charts: [("loss-chart-log", [("train", "loss")])], logY: true)
        let doc = try Node.parse(html)
        let radios = try #require(doc.first(id: "curves")).all("input")
        #expect(radios.map { $0.attributes["id"] } == ["loss-scale-linear", "loss-scale-log"])
        #expect(radios.allSatisfy { $0.attributes["type"] == "radio" && $0.attributes["name"] == "loss-scale" })
        #expect(radios[0].attributes["checked"] != nil && radios[1].attributes["checked"] == nil)
        // The CSS shows the log chart only while its button is checked.
        #expect(html.contains(".scales .log { display: none; }") && html.contains("#loss-scale-log:checked ~ .log { display: block; }"))
        #expect(!html.contains("<script"))
    }

    func model(training: JSONValue = .null, metrics: JSONValue = .null, config: JSONValue = .null) -> JSONValue {
        guard case .object(let members) = Self.oldModel else { return .null }
        return .object(members + [("training", training), ("metrics", metrics), ("config", config)])
    }

    @Test func aRunThatEndsFarAboveItsStartingLossIsFlagged() throws {
        let rising = (1...6).map { #"{"epoch":\#($0),"loss":\#(0.4 * Double($0)),"accuracy":0.5,"test_loss":\#(0.5 * Double($0))}"# }
        let converged = model(training: .object([("stop_reason", .string("converged"))]))
        let (html, _) = try report(metrics: rising.joined(separator: "\n"), model: converged)
        let doc = try Node.parse(html)
        let warning = try #require(doc.first(id: "loss-warning")).deepText
        #expect(warning.contains("final test loss, 3,") && warning.contains("6 times its value after epoch 1 (0.5)"), "\(warning)")
        #expect(!html.contains("stopped: converged") && html.contains("not converged"))
        // A falling loss, or one that rose less than twofold, is not flagged.
        let falling = (1...6).map { #"{"epoch":\#($0),"loss":0.5,"accuracy":0.5,"test_loss":\#(0.5 + 0.09 * Double($0))}"# }
        let (calm, _) = try report(metrics: falling.joined(separator: "\n"), model: converged)
        #expect(try Node.parse(calm).first(id: "loss-warning") == nil && calm.contains("stopped: converged"))
        // Without a test set the training loss is what counts.
        let trainOnly = (1...3).map { #"{"epoch":\#($0),"loss":\#(pow(3, Double($0))),"accuracy":0.5}"# }
        let (h3, _) = try report(metrics: trainOnly.joined(separator: "\n"))
        #expect(try Node.parse(h3).first(id: "loss-warning")?.deepText.contains("final training loss") == true)
    }

    @Test func durationsShareOneUnitAndLongFiguresFitTheirCards() throws {
        #expect(DurationUnit.forLongest(0.5) == .milliseconds && DurationUnit.forLongest(12) == .seconds)
        #expect(DurationUnit.milliseconds.format(0.00898) == "8.98 ms")
        #expect(DurationUnit.milliseconds.format(0.0123) == "12.3 ms")
        #expect(DurationUnit.milliseconds.format(1.5) == "1,500 ms")
        #expect(DurationUnit.seconds.format(0.01) == "0.01 s" && DurationUnit.seconds.format(nil) == "—")
        // A run of 0.9 s with 9 ms epochs: every duration in ms, none in s.
        let lines = (1...3).map { #"{"epoch":\#($0),"loss":0.5,"accuracy":0.5,"seconds":0.00898}"# }.joined(separator: "\n")
        let metrics: JSONValue = .object([("train_seconds", .number(0.9)), ("load_seconds", .number(0.012)),
                                           ("train_accuracy", .number(0.5)), ("train_loss", .number(123456789.25))])
        let (html, _) = try report(metrics: lines, model: model(metrics: metrics))
        let doc = try Node.parse(html)
        let timings = try #require(doc.first(id: "timing-table")).all("td").map(\.deepText)
        #expect(!timings.isEmpty && timings.allSatisfy { $0.hasSuffix(" ms") || $0.contains(" ms /") }, "\(timings)")
        #expect(timings.contains("900 ms") && timings.contains("12.0 ms") && timings.contains("8.98 ms"), "\(timings)")
        #expect(try #require(doc.first(id: "seconds-chart")).all("text", class: "axis-title").map(\.deepText).contains("milliseconds"))
        // The 15-character loss gets the smaller font of a long figure; short ones do not.
        let values = doc.all("div", class: "v")
        #expect(values.contains { $0.attributes["class"] == "v long" && $0.deepText == "123456789.25000" })
        #expect(values.contains { $0.attributes["class"] == "v" && $0.deepText == "0.5000" })
    }

    func configRows(_ config: Config, outputFolder: String? = "runs/x") -> [String: (value: String, isDefault: Bool)] {
        var out: [String: (String, Bool)] = [:]
        for g in ConfigKeysUsed(config: config.jsonValue, outputFolder: outputFolder).groups {
            for r in g.rows { out[r.key] = (r.value.jsonText, r.isDefault) }
        }
        return out
    }

    @Test func theConfigShowsTheKeysTheRunUsedWithDefaultsMarked() throws {
        var c = Config()
        c.data.train = "data/x.csv"
        c.training.learningRate = .optimal
        #expect(configRows(c)["training.eta0"] == nil)  // the optimal schedule does not read it
        c.training.learningRate = .constant
        c.training.eta0 = 0.001
        let sgd = configRows(c)
        // sgd with l2: no adam keys, no l1_ratio, no power_t, no validation_fraction, no nesterov.
        for key in ["training.beta1", "training.beta2", "training.epsilon", "training.l1_ratio", "training.power_t",
                    "training.validation_fraction", "training.nesterov", "data.features", "data.train_labels", "data.weight"] {
            #expect(sgd[key] == nil, "\(key) shown")
        }
        #expect(sgd["training.eta0"]?.value == "0.001" && sgd["training.eta0"]?.isDefault == false)
        #expect(sgd["training.alpha"]?.isDefault == true && sgd["training.momentum"]?.isDefault == true)
        #expect(sgd["data.label"]?.isDefault == true && sgd["data.test_fraction"] != nil)
        // output.dir left null: the folder the run wrote to, as the default.
        #expect(sgd["output.dir"]?.value == "\"runs/x\"" && sgd["output.dir"]?.isDefault == true)

        c.training.optimizer = .adam
        c.training.penalty = .elasticnet
        c.training.learningRate = .invscaling
        c.training.earlyStopping = true
        c.data.test = "data/t.csv"
        c.outputDir = "out"
        let adam = configRows(c)
        for key in ["training.beta1", "training.beta2", "training.epsilon", "training.l1_ratio", "training.power_t",
                    "training.validation_fraction", "data.test"] {
            #expect(adam[key] != nil, "\(key) missing")
        }
        #expect(adam["training.momentum"] == nil && adam["data.test_fraction"] == nil)
        #expect(adam["training.optimizer"]?.isDefault == false && adam["output.dir"]?.isDefault == false)

        // No penalty and a constant rate: alpha is not read; a LIBSVM file: features, no label.
        c.training.penalty = .none
        c.training.learningRate = .constant
        c.data.train = "data/x.svm"
        c.data.features = 100
        let sparse = configRows(c)
        #expect(sparse["training.alpha"] == nil && sparse["data.features"]?.value == "100" && sparse["data.label"] == nil)
        #expect(sparse["data.missing"] == nil && sparse["data.categorical"] == nil)

        // Defaults follow the model: an mlp's adam at 0.001 is its default, a linear model's is not.
        var mlp = Config()
        mlp.data.train = "data/x.csv"
        mlp.modelType = .mlp
        mlp.training = TrainingOptions.defaults(for: .mlp)
        let network = configRows(mlp)
        #expect(network["training.optimizer"]?.isDefault == true && network["training.eta0"]?.isDefault == true)
        #expect(network["training.eta0"]?.value == "0.001" && network["data.missing"]?.isDefault == true)
        var linearAdam = Config()
        linearAdam.data.train = "data/x.csv"
        linearAdam.training.optimizer = .adam
        #expect(configRows(linearAdam)["training.optimizer"]?.isDefault == false)
    }

    @Test func logAxesHaveTicksAtPowersOfTen() {
        let rates = NiceAxis(exponents: [log10(9.6), log10(0.001)])
        #expect(rates.logarithmic && rates.ticks == [-3, -2, -1, 0, 1] && rates.ticks.map(rates.label) == ["0.001", "0.01", "0.1", "1", "10"])
        // A constant rate at a power of ten sits in the middle of two decades.
        let constant = NiceAxis(exponents: [-1, -1])
        #expect(constant.lower == -2 && constant.upper == 0 && constant.ticks == [-2, -1, 0])
        // Within one decade: the powers around it.
        #expect(NiceAxis(exponents: [log10(0.02), log10(0.05)]).ticks == [-2, -1])
        // Twelve decades: every second power.
        #expect(NiceAxis(exponents: [-10, 1.5]).ticks == [-10, -8, -6, -4, -2, 0, 2])
    }

    @Test func niceAxes() {
        let a = NiceAxis(values: [0.123, 0.987])
        #expect(a.lower <= 0.123 && a.upper >= 0.987 && a.ticks.count >= 3 && a.ticks.count <= 12)
        #expect(a.ticks.first == a.lower && abs(a.ticks.last! - a.upper) < 1e-12)
        // Steps are 1, 2 or 5 times a power of ten.
        for values in [[0.0, 7.3], [1e-4, 3e-4], [-2.5, 40], [0.9, 0.9001], [5, 5], [0, 0]] {
            let axis = NiceAxis(values: values)
            let step = axis.ticks[1] - axis.ticks[0]
            let mantissa = step / pow(10, floor(log10(step)))
            #expect([1.0, 2, 5, 10].contains { abs(mantissa - $0) < 1e-9 }, "\(values): step \(step)")
            #expect(axis.lower <= values.min()! && axis.upper >= values.max()! && axis.upper > axis.lower, "\(values)")
            // Labels show each tick exactly enough to read it back.
            for t in axis.ticks { #expect(abs(Double(axis.label(t))! - t) < step * 1e-6, "\(values): \(axis.label(t))") }
        }
        #expect(NiceAxis(values: [0.2, 0.6], includeZero: true).lower == 0)
        let epochs = NiceAxis(integersFrom: 1, to: 200)
        #expect(epochs.lower == 1 && epochs.upper == 200 && epochs.ticks.allSatisfy { $0 == $0.rounded() })
        #expect(NiceAxis(integersFrom: 1, to: 1).ticks.count >= 2)
    }

    @Test func escapeCoversMarkupCharactersAndControlCharacters() {
        #expect(HTMLText.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(HTMLText.escape("a\u{1}b\tc") == "a\u{FFFD}b\tc")
    }
}
