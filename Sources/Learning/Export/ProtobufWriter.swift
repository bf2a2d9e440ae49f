/// The Protocol Buffers wire format, as much of it as an ONNX file needs.
///
/// A message is a sequence of fields, each a key then a value. The key is the varint
/// `field << 3 | wireType`; the values used here are
///
/// | wire type | value |
/// | --- | --- |
/// | 0, varint | an unsigned integer in base-128 groups, least significant first, the high bit of each byte set when more follow; an int64 is its two's complement as a UInt64 (ten bytes when negative) |
/// | 2, length-delimited | a varint byte count, then the bytes: strings (UTF-8), raw bytes, nested messages, packed repeated scalars |
/// | 5, 32-bit | four little-endian bytes (a float) |
///
/// A repeated scalar field may be packed: one length-delimited field holding the values'
/// encodings back to back. A field left out of a message takes its default value, so only
/// the fields an exporter sets are written, in the order it writes them.
struct ProtobufWriter {
    /// The encoded message so far.
    private(set) var bytes: [UInt8] = []

    /// How the value after a key is laid out.
    enum WireType: UInt8 {
        case varint = 0
        case lengthDelimited = 2
        case fixed32 = 5
    }

    /// Appends `value` in base-128 groups, low group first.
    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// The key of field number `field`: varint(field << 3 | wire type).
    mutating func appendKey(_ field: Int, _ wire: WireType) {
        precondition(field >= 1 && field < 1 << 29, "protobuf field numbers are 1 to 2^29 - 1")
        appendVarint(UInt64(field) << 3 | UInt64(wire.rawValue))
    }

    /// An int64 (or int32, or enum) field: its two's complement as a varint.
    mutating func int64(_ field: Int, _ value: Int64) {
        appendKey(field, .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    /// A float field: the IEEE 754 bits, little-endian.
    mutating func float(_ field: Int, _ value: Float) {
        appendKey(field, .fixed32)
        appendLittleEndian(value.bitPattern)
    }

    /// A bytes field: length, then the bytes.
    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        appendKey(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes += value
    }

    /// A string field: its UTF-8 bytes.
    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    /// A nested message field: the message's encoding as bytes.
    mutating func message(_ field: Int, _ value: some ProtobufMessage) {
        var inner = ProtobufWriter()
        value.encode(into: &inner)
        bytes(field, inner.bytes)
    }

    /// A packed repeated int64 field: one length-delimited field of back-to-back varints.
    mutating func packedInt64s(_ field: Int, _ values: [Int64]) {
        var inner = ProtobufWriter()
        for v in values { inner.appendVarint(UInt64(bitPattern: v)) }
        bytes(field, inner.bytes)
    }

    /// A packed repeated float field: one length-delimited field of back-to-back 32-bit values.
    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var inner = ProtobufWriter()
        for v in values { inner.appendLittleEndian(v.bitPattern) }
        bytes(field, inner.bytes)
    }

    private mutating func appendLittleEndian(_ bits: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
    }
}

/// A message that knows its own fields.
protocol ProtobufMessage {
    func encode(into writer: inout ProtobufWriter)
}

extension ProtobufMessage {
    /// The message's wire encoding.
    var encoded: [UInt8] {
        var w = ProtobufWriter()
        encode(into: &w)
        return w.bytes
    }
}
