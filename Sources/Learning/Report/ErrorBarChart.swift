import Foundation

/// Points with vertical error bars over the values of one parameter: a search's mean score
/// per candidate, ± its standard deviation over the folds.
///
/// Numbers spread over more than two factors of ten go on a log axis (ticks at powers of
/// ten), other numbers on a linear axis; values that are not numbers (lists, strings) are
/// categories, equally spaced in their first-seen order. Points that share an x are spread a
/// few pixels apart. Each point is `<g class="point" data-candidate="C">` holding the bar
/// (`<line class="bar">`) and the dot (`<circle>`, with a tooltip).
struct ErrorBarChart {
    struct Point {
        var candidate: Int
        var x: JSONValue
        var mean: Double
        var sd: Double
        var best: Bool
    }

    var id: String
    var title: String
    var xTitle: String
    var yTitle: String
    var points: [Point]
    var width = 560.0
    var height = 330.0
    let left = 62.0, right = 18.0, top = 30.0, bottom = 46.0

    /// How x values map to positions in [0, 1], and the ticks to label.
    private func xScale() -> (position: (JSONValue) -> Double, ticks: [(at: Double, label: String)]) {
        let numbers = points.compactMap { p -> Double? in if case .number(let d) = p.x { return d }; return nil }
        if numbers.count == points.count, let lo = numbers.min(), let hi = numbers.max(), lo < hi {
            let log = lo > 0 && hi / lo >= 100
            let f: (Double) -> Double = log ? { log10($0) } : { $0 }
            let axis = log ? NiceAxis(integersFrom: Int(floor(f(lo))), to: Int(ceil(f(hi))))
                : NiceAxis(values: numbers)
            let span = axis.upper - axis.lower
            let position: (JSONValue) -> Double = { v in
                guard case .number(let d) = v else { return 0 }
                return (f(d) - axis.lower) / span
            }
            let ticks = axis.ticks.map { t in ((t - axis.lower) / span, log ? "1e\(Int(t))" : axis.label(t)) }
            return (position, ticks)
        }
        var order: [String] = []
        for p in points where !order.contains(p.x.jsonText) { order.append(p.x.jsonText) }
        let n = Double(order.count)
        let position: (JSONValue) -> Double = { v in (Double(order.firstIndex(of: v.jsonText) ?? 0) + 0.5) / n }
        return (position, order.enumerated().map { ((Double($0.offset) + 0.5) / n, HTMLText.clip($0.element, 14)) })
    }

    func svg() -> String {
        let px = HTMLText.px, esc = HTMLText.escape
        let (position, xTicks) = xScale()
        let yAxis = NiceAxis(values: points.flatMap { [$0.mean - $0.sd, $0.mean + $0.sd] })
        let x0 = left + 10, x1 = width - right - 10, y0 = top, y1 = height - bottom
        func sx(_ t: Double) -> Double { x0 + t * (x1 - x0) }
        func sy(_ v: Double) -> Double { y1 - (v - yAxis.lower) / (yAxis.upper - yAxis.lower) * (y1 - y0) }
        var s = ChartFrame(id: id, title: title, xTitle: xTitle, yTitle: yTitle, width: width, height: height,
                           left: left, right: width - right, top: y0, bottom: y1)
            .markup(yTicks: yAxis.ticks.map { (sy($0), yAxis.label($0)) }, xTicks: xTicks.map { (sx($0.at), $0.label) },
                    yTickMarks: false)
        // Points sharing an x are spread 7 px apart around it.
        var shared: [String: Int] = [:], seen: [String: Int] = [:]
        for p in points { shared[p.x.jsonText, default: 0] += 1 }
        for p in points {
            let k = p.x.jsonText
            let i = seen[k, default: 0]
            seen[k] = i + 1
            let x = sx(position(p.x)) + (Double(i) - Double(shared[k]! - 1) / 2) * 7
            let color = p.best ? "#b3261e" : "#2f6db5"
            s += "<g class=\"point\" data-candidate=\"\(p.candidate)\">"
            s += "<line class=\"bar\" x1=\"\(px(x))\" y1=\"\(px(sy(p.mean - p.sd)))\" x2=\"\(px(x))\" y2=\"\(px(sy(p.mean + p.sd)))\" stroke=\"\(color)\"/>"
            s += "<circle cx=\"\(px(x))\" cy=\"\(px(sy(p.mean)))\" r=\"\(p.best ? "4.0" : "3.0")\" fill=\"\(color)\">"
            s += "<title>candidate \(p.candidate): \(esc(p.x.jsonText)), \(String(format: "%.6g ± %.3g", p.mean, p.sd))</title></circle></g>\n"
        }
        if points.isEmpty {
            s += "<text class=\"empty\" x=\"\(px((x0 + x1) / 2))\" y=\"\(px((y0 + y1) / 2))\" text-anchor=\"middle\">no scores</text>\n"
        }
        return s + "</svg>"
    }
}
