import Foundation

/// The values one searched config key takes: a list (a grid's axis, or values drawn with
/// equal chance), or a distribution that random search draws from.
public enum SearchDomain: Sendable, Equatable {
    /// These JSON values, in this order.
    case values([JSONValue])
    /// x = lo + (hi - lo) u, u uniform in [0, 1).
    case uniform(Double, Double)
    /// x = exp(log lo + (log hi - log lo) u): equal chance for every factor of ten.
    case logUniform(Double, Double)
    /// An integer from lo to hi, both included, each with equal chance.
    case integers(Int, Int)

    /// The distributions' names in a grid file.
    static let distributionNames = ["uniform", "loguniform", "integers"]

    /// Whether it is a list (a grid can only hold lists).
    public var isList: Bool {
        if case .values = self { return true }
        return false
    }

    /// One value drawn with `rng`.
    func draw(_ rng: inout SplitMix64) -> JSONValue {
        switch self {
        case .values(let v): return v[rng.nextInt(below: v.count)]
        case .uniform(let lo, let hi): return .number(lo + (hi - lo) * rng.nextUnit())
        case .logUniform(let lo, let hi):
            let a = Foundation.log(lo), b = Foundation.log(hi)
            return .number(Foundation.exp(a + (b - a) * rng.nextUnit()))
        case .integers(let lo, let hi): return .number(Double(lo + rng.nextInt(below: hi - lo + 1)))
        }
    }

    /// Reads a list of values, or an object naming one distribution:
    /// `{"uniform": [lo, hi]}`, `{"loguniform": [lo, hi]}` (lo > 0) or `{"integers": [lo, hi]}`.
    static func decode(_ v: JSONValue, key: String, _ r: ConfigReader) throws(LearningError) -> SearchDomain {
        switch v {
        case .array(let items):
            if items.isEmpty { throw r.fail(key, "the list of values is empty; give at least one") }
            return .values(items)
        case .object(let members):
            guard members.count == 1, let (name, bounds) = members.first, distributionNames.contains(name) else {
                throw r.fail(key, "expected one distribution, " + distributionNames.map { "{\"\($0)\": [lo, hi]}" }
                    .joined(separator: ", ") + ", found an object with keys "
                    + members.map { "\"\($0.key)\"" }.joined(separator: ", "))
            }
            guard case .array(let pair) = bounds, pair.count == 2, case .number(let lo) = pair[0],
                  case .number(let hi) = pair[1]
            else { throw r.fail(key, "\"\(name)\" needs [lo, hi], two numbers; found \(bounds.jsonText)") }
            guard lo < hi else { throw r.fail(key, "\"\(name)\": lo \(pair[0].jsonText) is not below hi \(pair[1].jsonText)") }
            switch name {
            case "uniform": return .uniform(lo, hi)
            case "loguniform":
                guard lo > 0 else { throw r.fail(key, "\"loguniform\" needs lo > 0; found \(pair[0].jsonText)") }
                return .logUniform(lo, hi)
            default:
                guard lo == lo.rounded(), hi == hi.rounded(), abs(lo) < 1e15, abs(hi) < 1e15 else {
                    throw r.fail(key, "\"integers\" needs whole numbers; found \(bounds.jsonText)")
                }
                return .integers(Int(lo), Int(hi))
            }
        default:
            throw r.fail(key, "expected a list of values or a distribution (\"uniform\", \"loguniform\", \"integers\"), "
                + "found \(v.kindName) \(v.jsonText)")
        }
    }
}
