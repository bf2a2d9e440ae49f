/// Fast parsing of plain decimal numbers from bytes, giving exactly the `Float` that
/// Swift's `Float(String)` gives (the correctly rounded value), or declining.
///
/// The fast path takes `[+-]? digits* ('.' digits*)? ([eE] [+-]? digits+)?` with at least one
/// mantissa digit. Read as m * 10^e with the integer m < 2^24 and |e| <= 10, both m and
/// 10^|e| are exact in Float (10^10 = 2^10 * 5^10, and 5^10 < 2^24), so the single Float
/// multiply or divide rounds the exact value once: the correctly rounded result. Anything
/// else (more significant digits, larger exponents, other characters) is declined, and the
/// caller falls back to `Float(String)`.
enum FloatParsing {
    /// 10^e for e in 0...10, exact in Float.
    @inline(__always)
    static func powerOfTen(_ e: Int) -> Float {
        switch e {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        default: return 1e10
        }
    }

    /// Parses the plain decimal that starts at `start` (no leading spaces) into `value`.
    /// - Returns: the first byte after the number, or nil when the text there is not a plain
    ///   decimal whose value the fast path gives exactly (then `value` is unspecified). The
    ///   caller must check what follows the number.
    /// - Precondition: the text is followed by a readable byte that cannot continue a number
    ///   (anything but a digit, '.', 'e', 'E', '+' or '-'): the scan stops there without
    ///   bounds checks. A line end (CR or LF) in the file serves.
    @inline(__always)
    static func parsePrefix(_ start: UnsafePointer<UInt8>, into value: inout Float) -> UnsafePointer<UInt8>? {
        var q = start
        let sign = q.pointee
        let negative = sign == UInt8(ascii: "-")
        if negative || sign == UInt8(ascii: "+") { q += 1 }
        let integerStart = q
        var m: UInt64 = 0
        while true {
            let d = q.pointee &- 0x30
            if d > 9 { break }
            m = m &* 10 &+ UInt64(d)
            q += 1
        }
        var digits = q - integerStart
        var exponent = 0
        if q.pointee == UInt8(ascii: ".") {
            q += 1
            let fractionStart = q
            while true {
                let d = q.pointee &- 0x30
                if d > 9 { break }
                m = m &* 10 &+ UInt64(d)
                q += 1
            }
            let fraction = q - fractionStart
            digits &+= fraction
            exponent = -fraction
        }
        // At most 19 digits cannot overflow UInt64 (10^19 - 1 < 2^64).
        if digits == 0 || digits > 19 { return nil }
        if q.pointee | 0x20 == UInt8(ascii: "e") {
            q += 1
            let exponentSign = q.pointee
            let exponentNegative = exponentSign == UInt8(ascii: "-")
            if exponentNegative || exponentSign == UInt8(ascii: "+") { q += 1 }
            var e = 0
            let exponentStart = q
            while true {
                let d = q.pointee &- 0x30
                if d > 9 { break }
                if e < 1_000_000 { e = e &* 10 &+ Int(d) }
                q += 1
            }
            if q == exponentStart { return nil }
            exponent += exponentNegative ? -e : e
        }
        var v: Float
        if m == 0 {
            v = 0
        } else {
            while m >= 1 << 24 && m % 10 == 0 {
                m /= 10
                exponent += 1
            }
            if m >= 1 << 24 || exponent < -10 || exponent > 10 { return nil }
            v = Float(Int64(bitPattern: m))  // exact: m < 2^24
            if exponent > 0 {
                v *= powerOfTen(exponent)
            } else if exponent < 0 {
                v /= powerOfTen(-exponent)
            }
        }
        value = negative ? -v : v
        return q
    }

    /// The value of `bytes` when all of it is a plain decimal the fast path takes; else nil.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Float? {
        // Copy with a line end after the text, as parsePrefix needs.
        let terminated = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count + 1)
        defer { terminated.deallocate() }
        if let base = bytes.baseAddress { terminated.initialize(from: base, count: bytes.count) }
        terminated[bytes.count] = 0x0A
        var value: Float = 0
        guard let stop = parsePrefix(terminated, into: &value), stop == terminated + bytes.count else { return nil }
        return value
    }

    /// The value of `text` when all of it is a plain decimal the fast path takes; else nil.
    static func parse(_ text: String) -> Float? {
        var text = text
        return text.withUTF8 { parse($0) }
    }
}
