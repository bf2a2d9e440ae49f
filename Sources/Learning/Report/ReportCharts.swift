import Foundation

// Inline SVG for the training report: line charts with nice axis ticks, and a heat map of a
// confusion matrix. The markup is also well-formed XML (every element closed, all text
// escaped), and it refers to nothing outside the document.

enum HTMLText {
    /// `s` escaped for HTML text and for double- or single-quoted attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and line breaks are not allowed in HTML
                // (or XML) text: show them as the replacement character.
                if (c.value < 0x20 && c != "\t" && c != "\n" && c != "\r") || c.value == 0x7F {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    /// A pixel coordinate: two decimals.
    static func px(_ v: Double) -> String { String(format: "%.2f", v) }

    /// At most `limit` characters, with an ellipsis when cut.
    static func clip(_ s: String, _ limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(limit - 1)) + "…"
    }
}

/// A linear axis over a "nice" range: its ticks are multiples of 1, 2 or 5 times a power of ten.
/// Or a logarithmic one, whose positions are exponents of ten: ticks at whole powers.
struct NiceAxis: Equatable {
    var lower: Double
    var upper: Double
    var ticks: [Double]
    /// Decimals that show every tick exactly.
    var decimals: Int
    /// Positions are log10 of the values; a tick t is labelled 10^t.
    var logarithmic = false

    /// A logarithmic axis for values whose log10 are `exponents`: from the power of ten at
    /// or below the smallest to the one at or above the largest (a decade either side when
    /// every value is the same power of ten, such as a constant rate of 0.1), a tick at every
    /// power, or every 2nd, 3rd, ... when they span more than 6 decades.
    init(exponents: [Double]) {
        var lo = (exponents.min() ?? 0).rounded(.down), hi = (exponents.max() ?? 0).rounded(.up)
        if hi <= lo { lo -= 1; hi += 1 }
        let step = max(1, ((hi - lo) / 6).rounded(.up))
        lo = (lo / step).rounded(.down) * step
        hi = (hi / step).rounded(.up) * step
        lower = lo
        upper = hi
        ticks = stride(from: lo, through: hi, by: step).map { $0 }
        decimals = 0
        logarithmic = true
    }

    /// The tick step for about `count` intervals over `span`.
    static func step(span: Double, count: Int) -> Double {
        let raw = span / Double(max(count, 1))
        let power = pow(10, floor(log10(raw)))
        let f = raw / power
        let nice: Double = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
        return nice * power
    }

    static func decimals(for step: Double) -> Int { max(0, -Int(floor(log10(step) + 1e-9))) }

    /// A value axis: the data's extent widened to whole tick steps.
    init(values: [Double], includeZero: Bool = false, targetTicks: Int = 5) {
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
        if hi - lo <= max(abs(hi), abs(lo)) * 1e-12 {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
            if includeZero && values.allSatisfy({ $0 >= 0 }) { lo = max(lo, 0) }
        }
        let step = Self.step(span: hi - lo, count: targetTicks)
        let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        lower = first * step
        upper = last * step
        ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        decimals = Self.decimals(for: step)
    }

    /// An axis of whole numbers (epochs) from `first` to `last` exactly, ticks at whole
    /// multiples of a nice step, plus `first` when it is well clear of the next tick.
    init(integersFrom first: Int, to last: Int, targetTicks: Int = 6) {
        var lo = Double(first), hi = Double(last)
        if hi <= lo { lo -= 1; hi += 1 }
        let step = max(1, Self.step(span: hi - lo, count: targetTicks).rounded())
        var t = stride(from: (lo / step).rounded(.up), through: (hi / step).rounded(.down), by: 1).map { $0 * step }
        if let firstTick = t.first, firstTick - lo >= 0.6 * step { t.insert(lo, at: 0) }
        if t.count < 2 { t = [lo, hi] }
        lower = lo
        upper = hi
        ticks = t
        decimals = 0
    }

    func label(_ v: Double) -> String {
        if logarithmic { return String(format: "%g", pow(10, v)) }
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        let shown = abs(v) < step * 1e-6 ? 0 : v
        return String(format: "%.\(decimals)f", shown)
    }
}

/// What every axis chart draws around its data (``LineChart``, ``ErrorBarChart``): the `<svg>`
/// element and its title, a horizontal grid line at each y tick, the tick labels
/// (`<text class="tick-y">` centred on its grid line, `<text class="tick-x">` under its tick
/// mark), the two axis lines and the axis titles. Positions are in pixels.
struct ChartFrame {
    var id: String
    var title: String
    var xTitle: String
    var yTitle: String
    var width: Double
    var height: Double
    /// The y axis's x and the grid lines' right end; the plot's top and the x axis's y.
    var left: Double, right: Double, top: Double, bottom: Double

    /// The markup from `<svg>` through the axes' group; the caller adds the data and `</svg>`.
    /// - Parameter yTickMarks: a short mark left of the y axis at each y tick.
    func markup(yTicks: [(y: Double, label: String)], xTicks: [(x: Double, label: String)], yTickMarks: Bool) -> String {
        let px = HTMLText.px, esc = HTMLText.escape
        var s = "<svg id=\"\(esc(id))\" class=\"chart\" viewBox=\"0 0 \(px(width)) \(px(height))\" role=\"img\" aria-label=\"\(esc(title))\">\n"
        s += "<title>\(esc(title))</title>\n<g class=\"grid\">\n"
        for t in yTicks {
            let y = px(t.y)
            s += "<line x1=\"\(px(left))\" y1=\"\(y)\" x2=\"\(px(right))\" y2=\"\(y)\"/>\n"
        }
        s += "</g>\n<g class=\"axis\">\n"
        for t in yTicks {
            let y = px(t.y)
            if yTickMarks { s += "<line x1=\"\(px(left - 5))\" y1=\"\(y)\" x2=\"\(px(left))\" y2=\"\(y)\"/>" }
            s += "<text class=\"tick-y\" x=\"\(px(left - 8))\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(esc(t.label))</text>\n"
        }
        for t in xTicks {
            let x = px(t.x)
            s += "<line x1=\"\(x)\" y1=\"\(px(bottom))\" x2=\"\(x)\" y2=\"\(px(bottom + 5))\"/>"
            s += "<text class=\"tick-x\" x=\"\(x)\" y=\"\(px(bottom + 18))\" text-anchor=\"middle\">\(esc(t.label))</text>\n"
        }
        s += "<line x1=\"\(px(left))\" y1=\"\(px(bottom))\" x2=\"\(px(right))\" y2=\"\(px(bottom))\"/>"
        s += "<line x1=\"\(px(left))\" y1=\"\(px(top))\" x2=\"\(px(left))\" y2=\"\(px(bottom))\"/>\n"
        s += "<text class=\"axis-title\" x=\"\(px((left + right) / 2))\" y=\"\(px(height - 8))\" text-anchor=\"middle\">\(esc(xTitle))</text>\n"
        s += "<text class=\"axis-title\" transform=\"translate(14,\(px((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(esc(yTitle))</text>\n"
        return s + "</g>\n"
    }
}

/// One curve of a line chart; a nil value leaves a gap.
struct ChartSeries {
    var key: String
    var name: String
    var color: String
    var dash: String?
    var points: [(x: Double, y: Double?)]
}

/// A line chart of series over epochs, with axes, grid, tick labels, axis titles and a legend.
///
/// Markup the tests rely on: each series is `<path class="series" data-series="KEY" d="M x,y L
/// x,y ...">` (a new `M` after a gap), y tick labels are `<text class="tick-y" y="Y">VALUE</text>`
/// centred on their grid line, x tick labels `<text class="tick-x" x="X">VALUE</text>` centred
/// on their tick. Coordinates have two decimals.
struct LineChart {
    var id: String
    var title: String
    var xTitle: String
    var yTitle: String
    var series: [ChartSeries]
    var includeZero = false
    var width = 560.0
    var height = 330.0
    /// Point markers (with the value as a tooltip) when there are at most this many epochs.
    var markerLimit = 60
    /// A log10 y axis (ticks at powers of ten); values <= 0 leave gaps.
    var logarithmic = false

    let left = 62.0, right = 18.0, top = 40.0, bottom = 46.0

    func svg() -> String {
        // On a log axis a value is drawn at its exponent.
        let plotted = logarithmic ? series.map { s in
            var s = s
            s.points = s.points.map { p in (p.x, p.y.flatMap { $0 > 0 ? log10($0) : nil }) }
            return s
        } : series
        let drawn = plotted.filter { $0.points.contains { $0.y != nil } }
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = drawn.flatMap { $0.points.compactMap(\.y) }
        let xAxis = NiceAxis(integersFrom: Int(xs.min() ?? 1), to: Int(xs.max() ?? 1))
        let yAxis = logarithmic ? NiceAxis(exponents: ys) : NiceAxis(values: ys, includeZero: includeZero)
        let x0 = left, x1 = width - right, y0 = top, y1 = height - bottom
        func sx(_ v: Double) -> Double { x0 + (v - xAxis.lower) / (xAxis.upper - xAxis.lower) * (x1 - x0) }
        func sy(_ v: Double) -> Double { y1 - (v - yAxis.lower) / (yAxis.upper - yAxis.lower) * (y1 - y0) }
        let px = HTMLText.px, esc = HTMLText.escape

        var s = ChartFrame(id: id, title: title, xTitle: xTitle, yTitle: yTitle, width: width, height: height,
                           left: x0, right: x1, top: y0, bottom: y1)
            .markup(yTicks: yAxis.ticks.map { (sy($0), yAxis.label($0)) }, xTicks: xAxis.ticks.map { (sx($0), xAxis.label($0)) },
                    yTickMarks: true)
        // Curves.
        let markers = (xs.max() ?? 0) - (xs.min() ?? 0) < Double(markerLimit)
        for c in drawn {
            var d = "", pen = false
            for p in c.points {
                guard let y = p.y else { pen = false; continue }
                d += (pen ? " L" : (d.isEmpty ? "M" : " M")) + px(sx(p.x)) + "," + px(sy(y))
                pen = true
            }
            let dash = c.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            s += "<path class=\"series\" data-series=\"\(esc(c.key))\" d=\"\(d)\" stroke=\"\(c.color)\"\(dash)/>\n"
            if markers {
                s += "<g class=\"markers\" fill=\"\(c.color)\">"
                for p in c.points {
                    guard let y = p.y else { continue }
                    s += "<circle cx=\"\(px(sx(p.x)))\" cy=\"\(px(sy(y)))\" r=\"2.6\"><title>\(esc(c.name)), epoch \(Int(p.x)): \(String(format: "%.6g", logarithmic ? pow(10, y) : y))</title></circle>"
                }
                s += "</g>\n"
            }
        }
        if drawn.isEmpty {
            s += "<text class=\"empty\" x=\"\(px((x0 + x1) / 2))\" y=\"\(px((y0 + y1) / 2))\" text-anchor=\"middle\">no values recorded</text>\n"
        }
        // Legend, above the plot.
        s += "<g class=\"legend\">"
        var lx = x0
        for c in drawn {
            let dash = c.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            s += "<line x1=\"\(px(lx))\" y1=\"16.00\" x2=\"\(px(lx + 24))\" y2=\"16.00\" stroke=\"\(c.color)\"\(dash)/>"
            s += "<text x=\"\(px(lx + 30))\" y=\"16.00\" dominant-baseline=\"middle\">\(esc(c.name))</text>"
            lx += 44 + Double(c.name.count) * 6.6
        }
        s += "</g>\n</svg>"
        return s
    }
}

/// A confusion matrix as a heat map: rows are true labels, columns predicted classes; a cell's
/// shade is its share of the row, its text the count.
///
/// Each cell is `<rect class="cell" data-row="i" data-col="j" data-count="n">` followed by
/// `<text class="count">n</text>` (when the cells are big enough to hold it).
struct HeatMap {
    var id: String
    var rowLabels: [String]
    var columnLabels: [String]
    var matrix: [[Int]]

    func svg() -> String {
        let esc = HTMLText.escape, px = HTMLText.px
        let rows = matrix.count, cols = columnLabels.count
        let cell = min(56, max(18, 440 / Double(max(rows, cols, 1))))
        let labelLimit = 14
        let longestRow = rowLabels.map { min($0.count, labelLimit) }.max() ?? 1
        let longestCol = columnLabels.map { min($0.count, labelLimit) }.max() ?? 1
        let charWidth = 6.8
        let rotate = Double(longestCol) * charWidth > cell - 4
        let left = 30 + Double(longestRow) * charWidth + 10
        let top = 26 + (rotate ? Double(longestCol) * charWidth * 0.72 + 12 : 22)
        let gridW = Double(cols) * cell, gridH = Double(rows) * cell
        let legendH = 40.0
        let width = left + max(gridW, 220) + 16, height = top + gridH + legendH + 14
        let showCounts = cell >= 22

        var s = "<svg id=\"\(esc(id))\" class=\"heatmap\" viewBox=\"0 0 \(px(width)) \(px(height))\" style=\"max-width: \(Int(width.rounded(.up)))px\" role=\"img\" aria-label=\"confusion matrix\">\n"
        s += "<title>confusion matrix (rows: true label, columns: predicted class)</title>\n"
        s += "<text class=\"axis-title\" x=\"\(px(left + gridW / 2))\" y=\"14.00\" text-anchor=\"middle\">predicted class</text>\n"
        s += "<text class=\"axis-title\" transform=\"translate(14,\(px(top + gridH / 2))) rotate(-90)\" text-anchor=\"middle\">true label</text>\n"
        for (j, name) in columnLabels.enumerated() {
            let cx = left + (Double(j) + 0.5) * cell
            if rotate {
                s += "<text class=\"col-label\" transform=\"translate(\(px(cx + 3)),\(px(top - 6))) rotate(-45)\"><title>\(esc(name))</title>\(esc(HTMLText.clip(name, labelLimit)))</text>\n"
            } else {
                s += "<text class=\"col-label\" x=\"\(px(cx))\" y=\"\(px(top - 8))\" text-anchor=\"middle\"><title>\(esc(name))</title>\(esc(HTMLText.clip(name, labelLimit)))</text>\n"
            }
        }
        for (i, row) in matrix.enumerated() {
            let name = i < rowLabels.count ? rowLabels[i] : ""
            let y = top + Double(i) * cell
            let unseen = i >= cols
            s += "<text class=\"row-label\(unseen ? " unseen" : "")\" x=\"\(px(left - 8))\" y=\"\(px(y + cell / 2))\" text-anchor=\"end\" dominant-baseline=\"middle\"><title>\(esc(name))\(unseen ? " (not a class of the model)" : "")</title>\(esc(HTMLText.clip(name, labelLimit)))</text>\n"
            let total = row.reduce(0, +)
            for (j, n) in row.enumerated() {
                let share = total > 0 ? Double(n) / Double(total) : 0
                let x = left + Double(j) * cell
                s += "<rect class=\"cell\" data-row=\"\(i)\" data-col=\"\(j)\" data-count=\"\(n)\" x=\"\(px(x))\" y=\"\(px(y))\" width=\"\(px(cell))\" height=\"\(px(cell))\" fill=\"\(Self.shade(share))\">"
                s += "<title>true \(esc(name)), predicted \(esc(columnLabels[j])): \(n) of \(total) (\(String(format: "%.1f", share * 100))%)</title></rect>"
                if showCounts {
                    s += "<text class=\"count\(share > 0.55 ? " light" : "")\" x=\"\(px(x + cell / 2))\" y=\"\(px(y + cell / 2))\" text-anchor=\"middle\" dominant-baseline=\"middle\">\(n)</text>"
                }
                s += "\n"
            }
        }
        s += "<rect class=\"frame\" x=\"\(px(left))\" y=\"\(px(top))\" width=\"\(px(gridW))\" height=\"\(px(gridH))\"/>\n"
        // Colour scale.
        let ly = top + gridH + 14
        s += "<g class=\"scale\">"
        for k in 0..<10 {
            s += "<rect x=\"\(px(left + Double(k) * 16))\" y=\"\(px(ly))\" width=\"16.00\" height=\"10.00\" fill=\"\(Self.shade((Double(k) + 0.5) / 10))\"/>"
        }
        s += "<text x=\"\(px(left))\" y=\"\(px(ly + 24))\">0%</text>"
        s += "<text x=\"\(px(left + 160))\" y=\"\(px(ly + 24))\" text-anchor=\"end\">100% of the row</text>"
        s += "</g>\n</svg>"
        return s
    }

    /// White to dark blue.
    static func shade(_ t: Double) -> String {
        let t = min(max(t, 0), 1)
        let from = (247.0, 251.0, 255.0), to = (8.0, 48.0, 107.0)
        func mix(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * t).rounded()) }
        return String(format: "#%02x%02x%02x", mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
    }
}
