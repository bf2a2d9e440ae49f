import Testing
@testable import Learning

@Suite struct SearchReportTests {
    @Test("the report has a chart per varied parameter and score, a point with an error bar per candidate, and the ranking")
    func chartsAndRanking() throws {
        let s = try ModelSearchTests.mixedSearch()
        let result = try s.run(workers: 2)
        let html = SearchReport(result: result, test: nil, name: "mixed").html()
        // Two parameters, two scores each.
        #expect(html.components(separatedBy: "<svg").count - 1 == 4)
        // Four candidates in each chart.
        #expect(html.components(separatedBy: "<g class=\"point\"").count - 1 == 16)
        #expect(html.components(separatedBy: "class=\"bar\"").count - 1 == 16)
        #expect(html.contains("against training.batch_size") && html.contains("against training.alpha"))
        #expect(html.components(separatedBy: "<tr><td class=\"n\">").count - 1 == 4)
        for bad in [">nan", "\"nan", ">-nan", ">inf", "\"inf", "\"-inf"] {
            if let r = html.range(of: bad) {
                let from = html.index(r.lowerBound, offsetBy: -60, limitedBy: html.startIndex) ?? html.startIndex
                Issue.record("\(bad) in: \(html[from..<r.upperBound])")
            }
        }
    }

    @Test("numbers over more than two factors of ten go on a log axis; other values are categories")
    func axes() {
        let log = ErrorBarChart(id: "a", title: "t", xTitle: "x", yTitle: "y", points: [1e-5, 1e-3, 1e-1].enumerated().map {
            ErrorBarChart.Point(candidate: $0.offset, x: .number($0.element), mean: 0.5, sd: 0.1, best: $0.offset == 0)
        }).svg()
        #expect(log.contains(">1e-5<") && log.contains(">1e-1<"))
        let categories = ErrorBarChart(id: "b", title: "t", xTitle: "x", yTitle: "y", points: [
            .init(candidate: 0, x: .array([.number(64)]), mean: 1, sd: 0, best: true),
            .init(candidate: 1, x: .array([.number(8), .number(8)]), mean: 2, sd: 0.5, best: false),
        ]).svg()
        #expect(categories.contains(">[64]<") && categories.contains(">[8,8]<"))
    }
}
