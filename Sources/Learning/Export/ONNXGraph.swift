/// An ONNX graph (`GraphProto`): nodes in execution order, the constant tensors they read,
/// and the graph's inputs and outputs.
///
/// Fields written: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11,
/// output = 12.
struct ONNXGraph: ProtobufMessage, Equatable, Sendable {
    var name: String
    var nodes: [ONNXNode]
    var initializers: [ONNXTensor]
    var inputs: [ONNXValueInfo]
    var outputs: [ONNXValueInfo]
    var docString: String = ""

    func encode(into w: inout ProtobufWriter) {
        for n in nodes { w.message(1, n) }
        w.string(2, name)
        for t in initializers { w.message(5, t) }
        if !docString.isEmpty { w.string(10, docString) }
        for i in inputs { w.message(11, i) }
        for o in outputs { w.message(12, o) }
    }
}
