/// A graph input or output with its tensor type (`ValueInfoProto` holding a
/// `TypeProto.Tensor`): element type and shape, each dimension a number or a symbol such as
/// "N" for the batch size.
///
/// Fields written: ValueInfoProto name = 1, type = 2, doc_string = 3; TypeProto tensor_type = 1;
/// TypeProto.Tensor elem_type = 1, shape = 2; TensorShapeProto dim = 1; Dimension
/// dim_value = 1, dim_param = 2.
struct ONNXValueInfo: ProtobufMessage, Equatable, Sendable {
    /// One dimension of a shape.
    enum Dimension: Equatable, Sendable {
        case fixed(Int)
        case symbolic(String)
    }

    var name: String
    var elementType: ONNXElementType
    var shape: [Dimension]
    var docString: String = ""

    func encode(into w: inout ProtobufWriter) {
        w.string(1, name)
        w.message(2, TypeMessage(elementType: elementType, shape: shape))
        if !docString.isEmpty { w.string(3, docString) }
    }

    /// `TypeProto` with its `tensor_type`.
    private struct TypeMessage: ProtobufMessage {
        let elementType: ONNXElementType
        let shape: [Dimension]
        func encode(into w: inout ProtobufWriter) { w.message(1, TensorTypeMessage(elementType: elementType, shape: shape)) }
    }

    /// `TypeProto.Tensor`.
    private struct TensorTypeMessage: ProtobufMessage {
        let elementType: ONNXElementType
        let shape: [Dimension]
        func encode(into w: inout ProtobufWriter) {
            w.int64(1, elementType.rawValue)
            w.message(2, ShapeMessage(shape: shape))
        }
    }

    /// `TensorShapeProto`.
    private struct ShapeMessage: ProtobufMessage {
        let shape: [Dimension]
        func encode(into w: inout ProtobufWriter) {
            for d in shape { w.message(1, DimensionMessage(dimension: d)) }
        }
    }

    /// `TensorShapeProto.Dimension`.
    private struct DimensionMessage: ProtobufMessage {
        let dimension: Dimension
        func encode(into w: inout ProtobufWriter) {
            switch dimension {
            case .fixed(let n): w.int64(1, Int64(n))
            case .symbolic(let s): w.string(2, s)
            }
        }
    }
}
