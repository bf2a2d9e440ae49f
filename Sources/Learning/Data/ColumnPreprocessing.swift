import Foundation

/// How the columns of a CSV table become features, learned on the training split and stored
/// in the model file (its "preprocessing" section) so that data to score is transformed the
/// same way. Each input column is one of two simple per-column operations:
///
/// - ``NumericColumn``: the number itself; an empty cell becomes `fill` (imputation), and
///   with `indicator` a second feature is 1 where the cell was empty, else 0;
/// - ``CategoricalColumn``: one-hot, one feature per category learned in training, x_c = 1
///   when the cell equals category c, else 0; a value never seen in training is all zeros
///   (scikit-learn's `OneHotEncoder(handle_unknown="ignore")`); an empty cell becomes `fill`
///   if there is one, else all zeros.
///
/// The columns in `ignored` (and the label and weight columns) are no features. The features
/// are the columns' outputs in column order, named `age`, `age=missing`, `plan=enterprise`.
public struct ColumnPreprocessing: Sendable, Equatable {
    /// The input columns that become features, in the training file's order.
    public var columns: [Column]
    /// Columns of the training file that were left out (data.ignore); data to score may have them.
    public var ignored: [String]

    public enum Column: Sendable, Equatable {
        case numeric(NumericColumn)
        case categorical(CategoricalColumn)

        public var name: String {
            switch self {
            case .numeric(let c): c.name
            case .categorical(let c): c.name
            }
        }

        /// The names of the features this column becomes.
        public var featureNames: [String] {
            switch self {
            case .numeric(let c): [c.name] + (c.indicator ? [c.name + "=missing"] : [])
            case .categorical(let c): c.categories.map { c.name + "=" + $0 }
            }
        }
    }

    /// A column of numbers.
    public struct NumericColumn: Sendable, Equatable {
        public var name: String
        /// The value of an empty cell; nil when an empty cell is an error.
        public var fill: Float?
        /// Whether a 0/1 "was empty" feature follows the value.
        public var indicator: Bool
        public init(name: String, fill: Float?, indicator: Bool) {
            self.name = name
            self.fill = fill
            self.indicator = indicator
        }
    }

    /// A column of categories, one-hot encoded.
    public struct CategoricalColumn: Sendable, Equatable {
        public var name: String
        /// The categories seen in the training split, sorted by their text.
        public var categories: [String]
        /// The category an empty cell takes; nil encodes it as all zeros (or, with
        /// data.missing "error", makes it an error: see `emptyIsError`).
        public var fill: String?
        /// Whether an empty cell is an error (data.missing "error").
        public var emptyIsError: Bool
        public init(name: String, categories: [String], fill: String?, emptyIsError: Bool) {
            self.name = name
            self.categories = categories
            self.fill = fill
            self.emptyIsError = emptyIsError
        }
    }

    public init(columns: [Column], ignored: [String]) {
        self.columns = columns
        self.ignored = ignored
    }

    /// The feature names, in order.
    public var featureNames: [String] { columns.flatMap(\.featureNames) }

    /// The number a feature cell holds, or nil for text.
    static func number(_ text: String) -> Float? {
        try? CSVReader.parseNumber(text, column: "", file: "", line: 0)
    }
}

extension ColumnPreprocessing {
    /// Learns the columns of `table` as `data` asks: `data.ignore` left out, the columns of
    /// `data.categorical` (or with "auto" every column holding text) one-hot encoded with the
    /// categories of the `trainingRows`, every other column numeric with the fill value of
    /// `data.missing` computed on the `trainingRows`. The label and weight columns are no
    /// features.
    /// - Throws: one error naming every column that cannot be used (text in a numeric column,
    ///   an empty cell with data.missing "error", a column without a header name that is not
    ///   ignored, a listed column the file does not have), at most 10 columns named.
    public static func learn(_ table: TextTable, label: String?, weight: String?, data: DataConfig,
                             trainingRows: [Int]) throws(LearningError) -> ColumnPreprocessing {
        var problems = ColumnProblems(file: table.file)
        var listed = data.ignore
        if case .named(let names) = data.categorical { listed += names }
        for name in listed where !table.names.contains(name) {
            let key = data.ignore.contains(name) ? "data.ignore" : "data.categorical"
            problems.add(column: name, line: table.headerLine,
                         "is listed in \(key) but is not in the header (columns: \(table.names.prefix(8).map { "'\($0)'" }.joined(separator: ", ")))")
        }
        var columns: [Column] = []
        for (j, name) in table.names.enumerated() where name != label && name != weight && !data.ignore.contains(name) {
            if name.isEmpty {
                problems.add(column: "", line: table.headerLine,
                             j == 0 ? unnamedFirstColumn : "has no name (column \(j + 1) of the header); name it, or add \"ignore\": [\"\"] to data to leave it out")
                continue
            }
            let cells = table.columns[j]
            var categorical = false
            switch data.categorical {
            case .none: categorical = false
            case .named(let names): categorical = names.contains(name)
            case .auto: categorical = cells.contains { !$0.isEmpty && number($0) == nil }
            }
            if categorical {
                columns.append(.categorical(learnCategorical(name, cells: cells, rows: trainingRows, data: data)))
                if data.missing == .error, let r = cells.firstIndex(of: "") { problems.empty(column: name, line: table.lines[r]) }
                continue
            }
            var values: [Float] = []
            values.reserveCapacity(trainingRows.count)
            var firstEmpty: Int? = nil, bad: Int? = nil
            for (r, cell) in cells.enumerated() {
                if cell.isEmpty {
                    if firstEmpty == nil { firstEmpty = r }
                } else if number(cell) == nil, bad == nil {
                    bad = r
                }
            }
            if let bad {
                problems.notNumeric(column: name, value: cells[bad], line: table.lines[bad])
                continue
            }
            if let r = firstEmpty, data.missing == .error {
                problems.empty(column: name, line: table.lines[r])
                continue
            }
            var trainingEmpty = false
            for r in trainingRows {
                if let v = number(cells[r]) { values.append(v) } else { trainingEmpty = true }
            }
            var fill: Float? = nil
            if data.missing != .error {
                guard let f = Imputation.fill(values, data.missing) else {
                    problems.add(column: name, line: nil, "has no values in the training split; list it in data.ignore")
                    continue
                }
                fill = f
            }
            columns.append(.numeric(NumericColumn(name: name, fill: fill, indicator: data.missingIndicator && trainingEmpty)))
        }
        try problems.check()
        let ignored = table.names.filter { data.ignore.contains($0) }
        let result = ColumnPreprocessing(columns: columns, ignored: ignored)
        if result.featureNames.isEmpty {
            throw .data(file: table.file, line: table.headerLine, message: "no feature columns besides the label and the ignored columns")
        }
        return result
    }

    /// The message for an unnamed first header column.
    static let unnamedFirstColumn = "has no name (column 1 of the header): it looks like the index pandas' "
        + "to_csv() writes; write the file with to_csv(index=False), or add \"ignore\": [\"\"] to data to leave it out"

    static func learnCategorical(_ name: String, cells: [String], rows: [Int], data: DataConfig) -> CategoricalColumn {
        var counts: [String: Int] = [:]
        for r in rows where !cells[r].isEmpty { counts[cells[r], default: 0] += 1 }
        let categories = counts.keys.sorted()
        // The most frequent category, the smallest of a tie (as scikit-learn's SimpleImputer).
        let fill = data.missing == .mostFrequent ? categories.max { (counts[$0]!, $1) < (counts[$1]!, $0) } : nil
        return CategoricalColumn(name: name, categories: categories, fill: fill, emptyIsError: data.missing == .error)
    }

    /// The features of every row of `table`, (count, featureNames.count) row-major. The table
    /// must have every column of ``columns`` and no other column but the label, the weight
    /// column and the ignored ones (in any order).
    /// - Throws: one error naming every column that cannot be used (a missing or unknown
    ///   column, text in a numeric column, an empty cell that has no fill value).
    public func transform(_ table: TextTable, label: String, weight: String?) throws(LearningError) -> [Float] {
        let known = Set(columns.map(\.name) + ignored + [label] + (weight.map { [$0] } ?? []))
        let missing = columns.map(\.name).filter { !table.names.contains($0) }
        let unknown = table.names.filter { !known.contains($0) }
        if !missing.isEmpty || !unknown.isEmpty {
            func list(_ xs: [String]) -> String {
                xs.isEmpty ? "none" : xs.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (xs.count > 5 ? ", ..." : "")
            }
            throw .data(file: table.file, line: table.headerLine,
                        message: "the columns differ from the model's: missing \(list(missing)); not in the model \(list(unknown))")
        }
        let d = featureNames.count, n = table.count
        var out = [Float](repeating: 0, count: n * d)
        var problems = ColumnProblems(file: table.file)
        var offset = 0
        for column in columns {
            let cells = table.column(column.name)!
            switch column {
            case .numeric(let c):
                for r in 0..<n {
                    let cell = cells[r]
                    if cell.isEmpty {
                        guard let fill = c.fill else {
                            problems.empty(column: c.name, line: table.lines[r])
                            continue
                        }
                        out[r * d + offset] = fill
                        if c.indicator { out[r * d + offset + 1] = 1 }
                    } else if let v = Self.number(cell) {
                        out[r * d + offset] = v
                    } else {
                        problems.notNumeric(column: c.name, value: cell, line: table.lines[r])
                    }
                }
                offset += c.indicator ? 2 : 1
            case .categorical(let c):
                var index: [String: Int] = [:]
                for (k, category) in c.categories.enumerated() { index[category] = k }
                for r in 0..<n {
                    var cell = cells[r]
                    if cell.isEmpty {
                        if c.emptyIsError {
                            problems.empty(column: c.name, line: table.lines[r])
                            continue
                        }
                        cell = c.fill ?? ""
                    }
                    if let k = index[cell] { out[r * d + offset + k] = 1 }
                }
                offset += c.categories.count
            }
        }
        try problems.check()
        return out
    }
}
