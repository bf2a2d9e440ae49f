@testable import Learning

/// A reader of the Protocol Buffers wire format for the tests, written apart from the writer
/// so that a test decodes what was written instead of comparing the writer with itself.
struct DecodedMessage {
    enum Value {
        case varint(UInt64)
        case bytes([UInt8])
        case fixed32(UInt32)
    }

    /// Fields in the order they were read.
    var fields: [(number: Int, value: Value)] = []

    struct Malformed: Error {}

    init(_ bytes: [UInt8]) throws {
        var i = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw Malformed() }
                let b = bytes[i]
                i += 1
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }
        while i < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: fields.append((number, .varint(try varint())))
            case 2:
                let n = Int(try varint())
                guard i + n <= bytes.count else { throw Malformed() }
                fields.append((number, .bytes(Array(bytes[i..<(i + n)]))))
                i += n
            case 5:
                guard i + 4 <= bytes.count else { throw Malformed() }
                let v = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[i + $1]) << UInt32(8 * $1) }
                fields.append((number, .fixed32(v)))
                i += 4
            default: throw Malformed()
            }
        }
    }

    func all(_ number: Int) -> [Value] { fields.filter { $0.number == number }.map(\.value) }

    func int(_ number: Int) -> Int64? {
        if case .varint(let v)? = all(number).last { return Int64(bitPattern: v) }
        return nil
    }

    func bytes(_ number: Int) -> [[UInt8]] {
        all(number).compactMap { if case .bytes(let b) = $0 { return b } else { return nil } }
    }

    func strings(_ number: Int) -> [String] { bytes(number).map { String(decoding: $0, as: UTF8.self) } }

    func string(_ number: Int) -> String? { strings(number).last }

    func messages(_ number: Int) throws -> [DecodedMessage] { try bytes(number).map { try DecodedMessage($0) } }

    /// A packed repeated varint field.
    func packedInts(_ number: Int) throws -> [Int64] {
        var out: [Int64] = []
        for b in bytes(number) {
            let inner = try DecodedMessage(Self.asVarintFields(b))
            out += inner.all(1).compactMap { if case .varint(let v) = $0 { Int64(bitPattern: v) } else { nil } }
        }
        return out
    }

    /// Packed varints re-keyed as field 1, so the reader above splits them.
    private static func asVarintFields(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], start = true
        for byte in b {
            if start { out.append(0x08) }
            out.append(byte)
            start = byte < 0x80
        }
        return out
    }

    /// Little-endian float32 values of a raw_data field.
    static func floats(_ raw: [UInt8]) -> [Float] {
        stride(from: 0, to: raw.count, by: 4).map { i in
            Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(raw[i + $1]) << UInt32(8 * $1) })
        }
    }
}
