import Testing
@testable import Learning

/// The wire format against bytes encoded by hand from the Protocol Buffers encoding rules.
@Suite struct ProtobufWriterTests {
    func varint(_ v: UInt64) -> [UInt8] {
        var w = ProtobufWriter()
        w.appendVarint(v)
        return w.bytes
    }

    @Test func varintsAreBase128LowGroupFirst() {
        #expect(varint(0) == [0x00])
        #expect(varint(1) == [0x01])
        #expect(varint(127) == [0x7F])
        #expect(varint(128) == [0x80, 0x01])
        // 150 = 0b1_0010110: groups 0010110, 0000001.
        #expect(varint(150) == [0x96, 0x01])
        #expect(varint(300) == [0xAC, 0x02])
        #expect(varint(UInt64.max) == [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    @Test func scalarFieldsHaveTheirKeys() {
        var w = ProtobufWriter()
        w.int64(1, 150)
        #expect(w.bytes == [0x08, 0x96, 0x01])
        // A negative int64 is its two's complement: ten bytes.
        w = ProtobufWriter()
        w.int64(3, -1)
        #expect(w.bytes == [0x18] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
        // Field 16 needs a two-byte key: 16 << 3 = 128.
        w = ProtobufWriter()
        w.int64(16, 1)
        #expect(w.bytes == [0x80, 0x01, 0x01])
        // Field 20 (AttributeProto.type): 160 = 0xA0 0x01.
        w = ProtobufWriter()
        w.int64(20, 2)
        #expect(w.bytes == [0xA0, 0x01, 0x02])
        // 1.0f = 0x3F800000, little-endian after key 2 << 3 | 5.
        w = ProtobufWriter()
        w.float(2, 1)
        #expect(w.bytes == [0x15, 0x00, 0x00, 0x80, 0x3F])
    }

    @Test func lengthDelimitedFields() {
        var w = ProtobufWriter()
        w.string(2, "testing")
        #expect(w.bytes == [0x12, 0x07] + Array("testing".utf8))
        w = ProtobufWriter()
        w.string(1, "é")  // two UTF-8 bytes
        #expect(w.bytes == [0x0A, 0x02, 0xC3, 0xA9])
        w = ProtobufWriter()
        w.bytes(9, [UInt8](repeating: 7, count: 200))  // a two-byte length
        #expect(Array(w.bytes.prefix(3)) == [0x4A, 0xC8, 0x01] && w.bytes.count == 203)
    }

    @Test func packedRepeatedFields() {
        var w = ProtobufWriter()
        w.packedInt64s(4, [3, 270, 86942])
        #expect(w.bytes == [0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05])
        w = ProtobufWriter()
        w.packedFloats(7, [1, -2])
        #expect(w.bytes == [0x3A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
    }

    struct Inner: ProtobufMessage {
        func encode(into w: inout ProtobufWriter) { w.int64(1, 150) }
    }

    @Test func nestedMessagesAreLengthDelimited() {
        var w = ProtobufWriter()
        w.message(3, Inner())
        #expect(w.bytes == [0x1A, 0x03, 0x08, 0x96, 0x01])
    }

    @Test func onnxMessagesByHand() {
        // TensorProto: dims [2] packed, data_type FLOAT, name "w", raw_data 1.0, -2.0.
        #expect(ONNXTensor.floats("w", dims: [2], [1, -2]).encoded
            == [0x0A, 0x01, 0x02, 0x10, 0x01, 0x42, 0x01, 0x77, 0x4A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
        // int64 raw data is eight little-endian bytes each; a scalar has no dims field.
        #expect(ONNXTensor.int64s("k", dims: [], [-1]).encoded
            == [0x10, 0x07, 0x42, 0x01, 0x6B, 0x4A, 0x08] + [UInt8](repeating: 0xFF, count: 8))
        // Strings go to string_data (6), not raw_data.
        #expect(ONNXTensor.strings("c", dims: [2], ["a", "bc"]).encoded
            == [0x0A, 0x01, 0x02, 0x10, 0x08, 0x32, 0x01, 0x61, 0x32, 0x02, 0x62, 0x63, 0x42, 0x01, 0x63])
        // AttributeProto: name, i, then type INT (2) in field 20.
        #expect(ONNXAttribute("axis", .int(-1)).encoded
            == [0x0A, 0x04] + Array("axis".utf8) + [0x18] + [UInt8](repeating: 0xFF, count: 9) + [0x01, 0xA0, 0x01, 0x02])
        // NodeProto: input, output, name, op_type.
        #expect(ONNXNode(opType: "Relu", inputs: ["x"], outputs: ["y"], name: "n").encoded
            == [0x0A, 0x01, 0x78, 0x12, 0x01, 0x79, 0x1A, 0x01, 0x6E, 0x22, 0x04] + Array("Relu".utf8))
        // ValueInfoProto "x": float [N, 3] = type { tensor_type { elem_type 1, shape { dim { dim_param "N" } dim { dim_value 3 } } } }.
        let dimN: [UInt8] = [0x0A, 0x03, 0x12, 0x01, 0x4E]
        let dim3: [UInt8] = [0x0A, 0x02, 0x08, 0x03]
        let shape: [UInt8] = [0x12, UInt8(dimN.count + dim3.count)] + dimN + dim3
        let tensorType: [UInt8] = [0x08, 0x01] + shape
        let type: [UInt8] = [0x0A, UInt8(tensorType.count)] + tensorType
        #expect(ONNXValueInfo(name: "x", elementType: .float, shape: [.symbolic("N"), .fixed(3)]).encoded
            == [0x0A, 0x01, 0x78, 0x12, UInt8(type.count)] + type)
    }
}
