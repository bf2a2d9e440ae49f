/// Everything the library reports to its callers. Each case names what a user must look at:
/// the file and line of a data file, the key of a config file, or the model file.
public enum LearningError: Error, Equatable, CustomStringConvertible {
    /// Bad or unreadable data. `line` is 1-based; nil when the problem is the file as a whole.
    case data(file: String, line: Int?, message: String)
    /// A bad config value. `key` is the dotted path of the key, e.g. "training.eta0".
    case config(file: String, key: String, message: String)
    /// A config file that is not valid JSON, at a 1-based line and column.
    case configSyntax(file: String, line: Int, column: Int, message: String)
    /// A model file that cannot be read or does not describe a valid model.
    case modelFile(file: String, message: String)
    /// Training went wrong (for example the weights became non-finite).
    case training(message: String)
    /// A file could not be written.
    case output(file: String, message: String)

    /// Training data in which every feature column is constant over the `rows` training rows.
    static func allFeaturesConstant(file: String, rows: Int) -> LearningError {
        let which = rows == 1 ? "the 1 training row" : "all \(rows) training rows"
        return .data(file: file, line: nil,
                     message: "every feature column is constant (zero variance) over \(which), so there is nothing to learn from")
    }

    /// The message on one line: control characters that came from the user's data (a line
    /// break inside a quoted field, say) are shown as escapes, and a message that quotes a
    /// huge input is cut to a readable length (``ErrorText/readable(_:)``).
    public var description: String { ErrorText.readable(Self.oneLine(text)) }

    static func oneLine(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += "\\u{" + String(u.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    private var text: String {
        switch self {
        case .data(let file, let line?, let message): return "\(file):\(line): \(message)"
        case .data(let file, nil, let message): return "\(file): \(message)"
        case .config(let file, let key, let message): return "\(file): \(key): \(message)"
        case .configSyntax(let file, let line, let column, let message):
            return "\(file):\(line):\(column): \(message)"
        case .modelFile(let file, let message): return "\(file): \(message)"
        case .training(let message): return message
        case .output(let file, let message): return "\(file): \(message)"
        }
    }

    /// True for problems with what the user supplied (data, config, files), false for
    /// failures during training or writing.
    public var isInputError: Bool {
        switch self {
        case .data, .config, .configSyntax, .modelFile: return true
        case .training, .output: return false
        }
    }
}
