/// A named constant argument of an ONNX node (`AttributeProto`), such as Gemm's `transB` or
/// Softmax's `axis`. Its `type` field is always set, as ONNX Runtime requires.
///
/// Fields written: name = 1, f = 2, i = 3, s = 4, ints = 8 (packed), strings = 9, type = 20
/// (FLOAT 1, INT 2, STRING 3, INTS 7, STRINGS 8).
struct ONNXAttribute: ProtobufMessage, Equatable, Sendable {
    enum Value: Equatable, Sendable {
        case float(Float)
        case int(Int64)
        case string(String)
        case ints([Int64])
        case strings([String])
    }

    var name: String
    var value: Value

    init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    /// `AttributeProto.AttributeType` of the value.
    var typeCode: Int64 {
        switch value {
        case .float: 1
        case .int: 2
        case .string: 3
        case .ints: 7
        case .strings: 8
        }
    }

    func encode(into w: inout ProtobufWriter) {
        w.string(1, name)
        switch value {
        case .float(let f): w.float(2, f)
        case .int(let i): w.int64(3, i)
        case .string(let s): w.string(4, s)
        case .ints(let values): w.packedInt64s(8, values)
        case .strings(let values): for v in values { w.string(9, v) }
        }
        w.int64(20, typeCode)
    }
}
