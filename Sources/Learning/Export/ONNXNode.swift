/// One operator call of an ONNX graph (`NodeProto`): `opType` from its domain (empty for the
/// default one, ai.onnx; "ai.onnx.ml" for the classical machine-learning operators) applied to
/// named inputs, writing named outputs.
///
/// Fields written: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7.
struct ONNXNode: ProtobufMessage, Equatable, Sendable {
    var opType: String
    var inputs: [String]
    var outputs: [String]
    var name: String
    var attributes: [ONNXAttribute] = []
    var domain = ""

    func encode(into w: inout ProtobufWriter) {
        for i in inputs { w.string(1, i) }
        for o in outputs { w.string(2, o) }
        w.string(3, name)
        w.string(4, opType)
        for a in attributes { w.message(5, a) }
        if !domain.isEmpty { w.string(7, domain) }
    }
}
