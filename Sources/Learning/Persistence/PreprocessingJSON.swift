/// The model file's "preprocessing" section (see ``ColumnPreprocessing``):
///
///     {"ignored": ["id", "signup_date"],
///      "columns": [{"name": "age", "type": "numeric", "fill": 41.5, "indicator": true},
///                  {"name": "plan", "type": "categorical", "categories": ["basic", "pro"],
///                   "fill": null, "empty_is_error": false}]}
///
/// "fill" is null where an empty cell has no fill value. The features are the columns'
/// outputs in order and must be the file's "feature_names".
extension ColumnPreprocessing {
    public var jsonValue: JSONValue {
        .object([
            ("ignored", .array(ignored.map { .string($0) })),
            ("columns", .array(columns.map { column in
                switch column {
                case .numeric(let c):
                    .object([("name", .string(c.name)), ("type", .string("numeric")),
                             ("fill", c.fill.map { .number(Double($0)) } ?? .null), ("indicator", .bool(c.indicator))])
                case .categorical(let c):
                    .object([("name", .string(c.name)), ("type", .string("categorical")),
                             ("categories", .array(c.categories.map { .string($0) })),
                             ("fill", c.fill.map { .string($0) } ?? .null), ("empty_is_error", .bool(c.emptyIsError))])
                }
            })),
        ])
    }

    /// Reads the section; `bad` makes the model file's error.
    static func decode(_ json: JSONValue, bad: (String) -> LearningError) throws(LearningError) -> ColumnPreprocessing {
        func strings(_ v: JSONValue?, _ key: String) throws(LearningError) -> [String] {
            try JSONValue.strings(v, key: key, bad: bad)
        }
        let ignored = try strings(json["ignored"], "preprocessing.ignored")
        guard case .array(let items)? = json["columns"] else { throw bad("\"preprocessing.columns\" is missing or not an array") }
        var columns: [Column] = []
        for (i, item) in items.enumerated() {
            let key = "preprocessing.columns[\(i)]"
            guard case .string(let name)? = item["name"], case .string(let type)? = item["type"] else {
                throw bad("\"\(key)\" needs a \"name\" and a \"type\"")
            }
            switch type {
            case "numeric":
                var fill: Float? = nil
                if let f = item["fill"], f != .null {
                    guard case .number(let d) = f, Float(d).isFinite else { throw bad("\"\(key).fill\" must be a float32 number or null") }
                    fill = Float(d)
                }
                guard case .bool(let indicator)? = item["indicator"] else { throw bad("\"\(key).indicator\" must be true or false") }
                if indicator && fill == nil { throw bad("\"\(key)\" has a missing indicator but no fill value") }
                columns.append(.numeric(NumericColumn(name: name, fill: fill, indicator: indicator)))
            case "categorical":
                let categories = try strings(item["categories"], key + ".categories")
                guard Set(categories).count == categories.count else { throw bad("\"\(key).categories\" holds a category twice") }
                var fill: String? = nil
                if let f = item["fill"], f != .null {
                    guard case .string(let s) = f, categories.contains(s) else { throw bad("\"\(key).fill\" must be one of its categories or null") }
                    fill = s
                }
                guard case .bool(let emptyIsError)? = item["empty_is_error"] else {
                    throw bad("\"\(key).empty_is_error\" must be true or false")
                }
                columns.append(.categorical(CategoricalColumn(name: name, categories: categories, fill: fill, emptyIsError: emptyIsError)))
            default:
                throw bad("\"\(key).type\" must be \"numeric\" or \"categorical\"")
            }
        }
        return ColumnPreprocessing(columns: columns, ignored: ignored)
    }
}
