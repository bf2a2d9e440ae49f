/// Collects an ONNX graph's nodes and constants in order, so that each stage of an export
/// (preprocessing, layers, output head) reads as a few calls that take value names and
/// return the name of what they computed.
struct ONNXGraphBuilder {
    private(set) var nodes: [ONNXNode] = []
    private(set) var initializers: [ONNXTensor] = []
    private var names: Set<String>

    /// `reserved`: names already taken (the graph's inputs).
    init(reserved: [String]) { names = Set(reserved) }

    /// Adds a constant tensor and returns its name.
    mutating func constant(_ tensor: ONNXTensor) -> String {
        precondition(names.insert(tensor.name).inserted, "value '\(tensor.name)' is defined twice")
        initializers.append(tensor)
        return tensor.name
    }

    /// Adds a node `opType(inputs)` with one output named `output` and returns that name.
    /// The node is named after its output.
    @discardableResult
    mutating func add(_ opType: String, _ inputs: [String], attributes: [ONNXAttribute] = [], domain: String = "",
                      output: String) -> String {
        precondition(names.insert(output).inserted, "value '\(output)' is defined twice")
        nodes.append(ONNXNode(opType: opType, inputs: inputs, outputs: [output], name: output + "_" + opType,
                              attributes: attributes, domain: domain))
        return output
    }
}
