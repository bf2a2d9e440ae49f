import Foundation
@testable import Learning

/// Runs an ONNX file's graph, decoded from its bytes with ``DecodedMessage``, for the few
/// operators the export writes, in float32 as the ONNX operator definitions say (numpy-style
/// broadcasting; ArgMax takes the first maximum). Written apart from the exporter, so a test
/// can compare what the bytes compute with minibatch's own scores without ONNX Runtime.
struct ONNXGraphRunner {
    /// A tensor: its shape and one kind of element.
    struct Tensor {
        var shape: [Int]
        var floats: [Float] = []
        var ints: [Int64] = []
        var strings: [String] = []
        var bools: [Bool] = []
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    let graph: DecodedMessage

    init(onnx bytes: [UInt8]) throws {
        let model = try DecodedMessage(bytes)
        guard let g = try model.messages(7).first else { throw Failure(description: "no graph") }
        graph = g
    }

    /// The graph's outputs by name for the input `features` (n, d) and, for a graph with
    /// one-hot columns, `categories` (n, m) of text.
    func run(features: [Float], rows n: Int, categories: [String] = []) throws -> [String: Tensor] {
        var values: [String: Tensor] = [:]
        for t in try graph.messages(5) { values[t.string(8) ?? ""] = try Self.tensor(t) }
        values["features"] = Tensor(shape: [n, features.count / max(n, 1)], floats: features)
        values["categories"] = Tensor(shape: [n, categories.count / max(n, 1)], strings: categories)
        for node in try graph.messages(1) {
            let op = node.string(4) ?? ""
            var attributes: [String: DecodedMessage] = [:]
            for a in try node.messages(5) { attributes[a.string(1) ?? ""] = a }
            let inputs = try node.strings(1).map { name -> Tensor in
                guard let v = values[name] else { throw Failure(description: "\(op): no value '\(name)'") }
                return v
            }
            values[node.strings(2)[0]] = try Self.apply(op, inputs, attributes)
        }
        var out: [String: Tensor] = [:]
        for o in try graph.messages(12) { out[o.string(1) ?? ""] = values[o.string(1) ?? ""] }
        return out
    }

    static func tensor(_ t: DecodedMessage) throws -> Tensor {
        let dims = try t.packedInts(1).map { Int($0) }
        var out = Tensor(shape: dims)
        let raw = t.bytes(9).first ?? []
        switch t.int(2) {
        case 1: out.floats = DecodedMessage.floats(raw)
        case 7:
            out.ints = stride(from: 0, to: raw.count, by: 8).map { i in
                Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(raw[i + $1]) << UInt64(8 * $1) })
            }
        case 8: out.strings = t.strings(6)
        default: throw Failure(description: "tensor type \(t.int(2) ?? -1)")
        }
        return out
    }

    /// Index into a tensor of `shape` for output position `index` of `outShape`, broadcasting.
    static func broadcastIndex(_ index: Int, outShape: [Int], shape: [Int]) -> Int {
        var rest = index, result = 0, step = 1
        var inStrides = [Int](repeating: 0, count: shape.count)
        for k in stride(from: shape.count - 1, through: 0, by: -1) { inStrides[k] = step; step *= shape[k] }
        for k in stride(from: outShape.count - 1, through: 0, by: -1) {
            let coordinate = rest % outShape[k]
            rest /= outShape[k]
            let j = k - (outShape.count - shape.count)
            if j >= 0, shape[j] != 1 { result += coordinate * inStrides[j] }
        }
        return result
    }

    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
        let n = max(a.count, b.count)
        return (0..<n).map { k in
            let x = k - (n - a.count) >= 0 ? a[k - (n - a.count)] : 1
            let y = k - (n - b.count) >= 0 ? b[k - (n - b.count)] : 1
            return max(x, y)
        }
    }

    static func apply(_ op: String, _ x: [Tensor], _ attributes: [String: DecodedMessage]) throws -> Tensor {
        func binary<T>(_ f: (Float, Float) -> T) -> (shape: [Int], values: [T]) {
            let shape = broadcastShape(x[0].shape, x[1].shape)
            let count = shape.reduce(1, *)
            return (shape, (0..<count).map { i in
                f(x[0].floats[broadcastIndex(i, outShape: shape, shape: x[0].shape)],
                  x[1].floats[broadcastIndex(i, outShape: shape, shape: x[1].shape)])
            })
        }
        switch op {
        case "Sub": let r = binary(-); return Tensor(shape: r.shape, floats: r.values)
        case "Div": let r = binary(/); return Tensor(shape: r.shape, floats: r.values)
        case "Greater": let r = binary(>); return Tensor(shape: r.shape, bools: r.values)
        case "Relu": return Tensor(shape: x[0].shape, floats: x[0].floats.map { max($0, 0) })
        case "Tanh": return Tensor(shape: x[0].shape, floats: x[0].floats.map { Float(Foundation.tanh(Double($0))) })
        case "Sigmoid": return Tensor(shape: x[0].shape, floats: x[0].floats.map { Float(1 / (1 + exp(-Double($0)))) })
        case "Gemm":
            guard attributes["transB"]?.int(3) == 1, attributes["transB"]?.int(20) == 2 else { throw Failure(description: "Gemm without transB") }
            let (n, k, o) = (x[0].shape[0], x[0].shape[1], x[1].shape[0])
            guard x[1].shape == [o, k], x[2].shape == [o] else { throw Failure(description: "Gemm shapes") }
            var y = [Float](repeating: 0, count: n * o)
            for r in 0..<n {
                for c in 0..<o {
                    var s = 0.0
                    for j in 0..<k { s += Double(x[0].floats[r * k + j]) * Double(x[1].floats[c * k + j]) }
                    y[r * o + c] = Float(s + Double(x[2].floats[c]))
                }
            }
            return Tensor(shape: [n, o], floats: y)
        case "Softmax":
            guard attributes["axis"]?.int(3) == -1 else { throw Failure(description: "Softmax axis") }
            let (n, k) = (x[0].shape[0], x[0].shape[1])
            var p = x[0].floats
            for r in 0..<n {
                let row = (0..<k).map { Double(p[r * k + $0]) }
                let m = row.max()!
                let e = row.map { exp($0 - m) }, s = e.reduce(0, +)
                for c in 0..<k { p[r * k + c] = Float(e[c] / s) }
            }
            return Tensor(shape: [n, k], floats: p)
        case "ArgMax":
            guard attributes["axis"]?.int(3) == 1, attributes["keepdims"]?.int(3) == 0 else { throw Failure(description: "ArgMax attributes") }
            let (n, k) = (x[0].shape[0], x[0].shape[1])
            return Tensor(shape: [n], ints: (0..<n).map { r in
                var best = 0
                for c in 1..<k where x[0].floats[r * k + c] > x[0].floats[r * k + best] { best = c }
                return Int64(best)
            })
        case "Cast":
            switch attributes["to"]?.int(3) {
            case 7: return Tensor(shape: x[0].shape, ints: x[0].bools.map { $0 ? 1 : 0 })
            case 1: return Tensor(shape: x[0].shape, floats: x[0].bools.map { $0 ? 1 : 0 })
            default: throw Failure(description: "Cast target")
            }
        case "IsNaN": return Tensor(shape: x[0].shape, bools: x[0].floats.map(\.isNaN))
        case "Where":
            let shape = broadcastShape(broadcastShape(x[0].shape, x[1].shape), x[2].shape)
            return Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { i in
                x[0].bools[broadcastIndex(i, outShape: shape, shape: x[0].shape)]
                    ? x[1].floats[broadcastIndex(i, outShape: shape, shape: x[1].shape)]
                    : x[2].floats[broadcastIndex(i, outShape: shape, shape: x[2].shape)]
            })
        case "Reshape":
            guard x[1].ints == [-1] else { throw Failure(description: "Reshape shape") }
            return Tensor(shape: [x[0].shape.reduce(1, *)], ints: x[0].ints)
        case "Concat":
            guard attributes["axis"]?.int(3) == 1 else { throw Failure(description: "Concat axis") }
            let n = x[0].shape[0], widths = x.map { $0.shape[1] }
            var out: [Float] = []
            for r in 0..<n { for (t, w) in zip(x, widths) { out += t.floats[(r * w)..<((r + 1) * w)] } }
            return Tensor(shape: [n, widths.reduce(0, +)], floats: out)
        case "Gather" where attributes["axis"]?.int(3) == 1 && x[1].shape.isEmpty:
            // One column of a 2-D tensor: [N].
            let (n, w) = (x[0].shape[0], x[0].shape[1]), c = Int(x[1].ints[0])
            return Tensor(shape: [n], floats: x[0].floats.isEmpty ? [] : (0..<n).map { x[0].floats[$0 * w + c] },
                          strings: x[0].strings.isEmpty ? [] : (0..<n).map { x[0].strings[$0 * w + c] })
        case "LabelEncoder":
            // ai.onnx.ml: keys_strings -> values_int64s, anything else -> default_int64.
            guard let keys = attributes["keys_strings"]?.strings(9), let values = try attributes["values_int64s"]?.packedInts(8),
                  let fallback = attributes["default_int64"]?.int(3), keys.count == values.count
            else { throw Failure(description: "LabelEncoder attributes") }
            let map = Dictionary(zip(keys, values), uniquingKeysWith: { a, _ in a })
            return Tensor(shape: x[0].shape, ints: x[0].strings.map { map[$0] ?? fallback })
        case "OneHot":
            // indices [N], depth (scalar), values [off, on]; out of range -> all off.
            guard attributes["axis"]?.int(3) == -1, x[0].shape.count == 1 else { throw Failure(description: "OneHot axis") }
            let depth = Int(x[1].ints[0]), (off, on) = (x[2].floats[0], x[2].floats[1])
            return Tensor(shape: [x[0].shape[0], depth], floats: x[0].ints.flatMap { i in
                (0..<depth).map { Int64($0) == i || (i < 0 && Int64($0) == i + Int64(depth)) ? on : off }
            })
        case "Gather" where attributes["axis"]?.int(3) == 1:
            let (n, w) = (x[0].shape[0], x[0].shape[1]), idx = x[1].ints.map { Int($0) }
            return Tensor(shape: [n, idx.count], floats: (0..<n).flatMap { r in idx.map { x[0].floats[r * w + $0] } })
        case "Gather":
            guard attributes["axis"]?.int(3) == 0 else { throw Failure(description: "Gather axis") }
            let idx = x[1].ints.map { Int($0) }
            return Tensor(shape: [idx.count], ints: x[0].ints.isEmpty ? [] : idx.map { x[0].ints[$0] },
                          strings: x[0].strings.isEmpty ? [] : idx.map { x[0].strings[$0] })
        default:
            throw Failure(description: "operator \(op) is not one the export writes")
        }
    }
}
