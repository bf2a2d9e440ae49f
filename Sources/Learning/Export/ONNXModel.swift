/// An ONNX model file (`ModelProto`): the graph, the IR version and operator set it is
/// written for, who wrote it, and string metadata.
///
/// Fields written: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6,
/// graph = 7, opset_import = 8 (`OperatorSetIdProto`: domain = 1, version = 2; the empty
/// domain is the default one, ai.onnx; ai.onnx.ml is imported when a node uses it),
/// metadata_props = 14 (`StringStringEntryProto`:
/// key = 1, value = 2).
struct ONNXModel: ProtobufMessage, Equatable, Sendable {
    /// IR version 8 (ONNX 1.10 on); ONNX Runtime reads it from 1.11 on.
    static let irVersion: Int64 = 8
    /// Operator set 17 of the default domain (ONNX 1.12; ONNX Runtime 1.13 on).
    static let opsetVersion: Int64 = 17
    /// Operator set 2 of ai.onnx.ml (LabelEncoder with keys_strings and values_int64s; ONNX
    /// Runtime 1.0 on).
    static let mlDomain = "ai.onnx.ml"
    static let mlOpsetVersion: Int64 = 2

    var graph: ONNXGraph
    var producerName: String
    var producerVersion: String
    var docString: String
    /// Key-value pairs, in order.
    var metadata: [(key: String, value: String)]

    static func == (a: ONNXModel, b: ONNXModel) -> Bool {
        a.graph == b.graph && a.producerName == b.producerName && a.producerVersion == b.producerVersion
            && a.docString == b.docString && a.metadata.elementsEqual(b.metadata) { $0 == $1 }
    }

    func encode(into w: inout ProtobufWriter) {
        w.int64(1, Self.irVersion)
        w.string(2, producerName)
        w.string(3, producerVersion)
        if !docString.isEmpty { w.string(6, docString) }
        w.message(7, graph)
        w.message(8, OperatorSet(domain: "", version: Self.opsetVersion))
        if graph.nodes.contains(where: { $0.domain == Self.mlDomain }) {
            w.message(8, OperatorSet(domain: Self.mlDomain, version: Self.mlOpsetVersion))
        }
        for entry in metadata { w.message(14, Entry(key: entry.key, value: entry.value)) }
    }

    /// `OperatorSetIdProto`.
    private struct OperatorSet: ProtobufMessage {
        let domain: String
        let version: Int64
        func encode(into w: inout ProtobufWriter) {
            w.string(1, domain)
            w.int64(2, version)
        }
    }

    /// `StringStringEntryProto`.
    private struct Entry: ProtobufMessage {
        let key: String
        let value: String
        func encode(into w: inout ProtobufWriter) {
            w.string(1, key)
            w.string(2, value)
        }
    }
}
