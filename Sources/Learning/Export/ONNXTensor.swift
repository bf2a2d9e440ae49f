/// An ONNX tensor element type (`TensorProto.DataType` in onnx.proto).
enum ONNXElementType: Int64, Sendable {
    case float = 1
    case int64 = 7
    case string = 8
    case bool = 9
}

/// A constant tensor of an ONNX graph (`TensorProto`): a weight matrix, a bias, the class
/// labels. Numbers travel as `raw_data` (little-endian, row-major); strings, which raw_data
/// cannot hold, as `string_data`.
///
/// Fields written: dims = 1 (packed int64), data_type = 2, string_data = 6, name = 8,
/// raw_data = 9.
struct ONNXTensor: ProtobufMessage, Equatable, Sendable {
    enum Payload: Equatable, Sendable {
        case raw([UInt8])
        case strings([String])
    }

    var name: String
    var dims: [Int]
    var elementType: ONNXElementType
    var payload: Payload

    /// A float32 tensor of shape `dims` from row-major `values`.
    static func floats(_ name: String, dims: [Int], _ values: [Float]) -> ONNXTensor {
        precondition(dims.reduce(1, *) == values.count, "a tensor's values must fill its shape")
        var raw: [UInt8] = []
        raw.reserveCapacity(4 * values.count)
        for v in values {
            let bits = v.bitPattern
            for shift in stride(from: 0, to: 32, by: 8) { raw.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
        }
        return ONNXTensor(name: name, dims: dims, elementType: .float, payload: .raw(raw))
    }

    /// An int64 tensor of shape `dims` from row-major `values`.
    static func int64s(_ name: String, dims: [Int], _ values: [Int64]) -> ONNXTensor {
        precondition(dims.reduce(1, *) == values.count, "a tensor's values must fill its shape")
        var raw: [UInt8] = []
        raw.reserveCapacity(8 * values.count)
        for v in values {
            let bits = UInt64(bitPattern: v)
            for shift in stride(from: 0, to: 64, by: 8) { raw.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
        return ONNXTensor(name: name, dims: dims, elementType: .int64, payload: .raw(raw))
    }

    /// A string tensor of shape `dims` (UTF-8).
    static func strings(_ name: String, dims: [Int], _ values: [String]) -> ONNXTensor {
        precondition(dims.reduce(1, *) == values.count, "a tensor's values must fill its shape")
        return ONNXTensor(name: name, dims: dims, elementType: .string, payload: .strings(values))
    }

    func encode(into w: inout ProtobufWriter) {
        if !dims.isEmpty { w.packedInt64s(1, dims.map { Int64($0) }) }
        w.int64(2, elementType.rawValue)
        switch payload {
        case .strings(let values):
            for s in values { w.string(6, s) }
            w.string(8, name)
        case .raw(let bytes):
            w.string(8, name)
            w.bytes(9, bytes)
        }
    }
}
