/// A confusion matrix of more classes than can be drawn cell by cell: a heat map of blocks of
/// consecutive classes (in class order, `bins` blocks a side, the sum of each block's cells,
/// unseen labels in a block of their own), and the largest off-diagonal cells as a table.
/// Built from the non-zero cells, so its cost is O(cells + classes), whatever the class count.
struct ConfusionSummary {
    var record: RunRecord.ConfusionRecord
    var bins: Int
    /// Rows of the top-confusions table.
    var topRows = 20

    func html() -> String {
        let esc = HTMLText.escape
        let k = record.classes.count
        let per = (k + bins - 1) / bins
        let columnBins = (k + per - 1) / per
        let unseen = record.trueLabels.count > k
        func block(_ i: Int) -> Int { i / per }
        func name(_ b: Int) -> String {
            let lo = b * per, hi = min(k, lo + per) - 1
            return lo == hi ? record.classes[lo] : "\(record.classes[lo])…\(record.classes[hi])"
        }
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: columnBins), count: columnBins + (unseen ? 1 : 0))
        for c in record.cells { matrix[c.row < k ? block(c.row) : columnBins][block(c.column)] += c.count }
        let columns = (0..<columnBins).map(name)
        let rows = columns + (unseen ? ["unseen labels"] : [])
        var h = HeatMap(id: "confusion-map", rowLabels: rows, columnLabels: columns, matrix: matrix).svg()
        h += "\n<p class=\"note\">\(TrainingReport.count(k)) classes, drawn in blocks of \(per) consecutive classes: a cell sums its block's counts.</p>\n"
        h += "<table id=\"top-confusions\">\n<thead><tr><th>true label</th><th>predicted</th><th class=\"n\">rows</th></tr></thead>\n<tbody>\n"
        for c in ConfusionCell.topConfusions(record.cells, limit: topRows) {
            h += "<tr><td>\(esc(record.trueLabels[c.row]))</td><td>\(esc(record.classes[c.column]))</td><td class=\"n\">\(TrainingReport.count(c.count))</td></tr>\n"
        }
        return h + "</tbody>\n</table>"
    }
}
