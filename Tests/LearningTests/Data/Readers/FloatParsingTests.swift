import Testing
@testable import Learning

/// The fast decimal parser must give exactly `Float(String)`'s value whenever it takes a text,
/// and decline everything it cannot give exactly.
@Suite struct FloatParsingTests {
    /// Checks one text: the fast path's value, when it gives one, has the bits of `Float(text)`.
    /// - Returns: whether the fast path took it.
    @discardableResult
    func check(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let fast = FloatParsing.parse(text) else { return false }
        let reference = Float(text)
        #expect(reference != nil, "fast path took '\(text)', Float(String) rejects it", sourceLocation: sourceLocation)
        if let reference {
            #expect(fast.bitPattern == reference.bitPattern,
                    "'\(text)': fast \(fast) (\(fast.bitPattern)), Float(String) \(reference) (\(reference.bitPattern))",
                    sourceLocation: sourceLocation)
        }
        return true
    }

    @Test func plainFormsTakeTheFastPathWithFloatInitsValue() {
        let taken = ["0", "7", "255", "007", "-0", "+0", "-12", "+12", "1.", ".5", "+.5", "-.5", "5.e3", "1.5",
                     "-3.25", "3.14159", "0.1", "0.3", "1e5", "1E+05", "2.5e-3", "-1e-10", "1e10", "16777215",
                     "1677721.5", "0.0000000001", "12345678e-3", "0e999", "-0.0e-999", "1.000000000000000000"]
        for t in taken { #expect(check(t), "'\(t)' should take the fast path") }
        // Declined: not plain decimals, too many digits, or exponents beyond 10.
        let declined = ["", ".", "-", "+", "e5", ".e3", "1e", "1e+", "1e-", "--1", "+-1", "1-", "1..2", "1e5.5",
                        "nan", "inf", "0x10", " 1", "1 ", "16777217", "1e11", "1e-11", "0.00000000001",
                        "12345678901234567890", "1,5", "123456789e-3", "1e18"]
        for t in declined { #expect(FloatParsing.parse(t) == nil, "'\(t)' should be declined") }
    }

    @Test func trailingZerosAndPowersAreNormalised() {
        // m >= 2^24 with trailing zeros: 1000000000 = 1e9 is taken.
        #expect(check("1000000000"))
        #expect(check("100000000000000000"))  // 10^7 * 10^10
        #expect(!check("1000000000000000000"))  // 10^7 * 10^11: exponent too big, declined
        #expect(check("1.5000000000"))
    }

    @Test func randomDecimalsMatchFloatInitBitForBit() {
        var rng = SplitMix64(seed: 20_240_611)
        var taken = 0
        let total = 200_000
        for _ in 0..<total {
            let text = Self.randomDecimal(&rng)
            if check(text) { taken += 1 }
        }
        // Most of the texts are plain decimals the fast path should take.
        #expect(taken > total / 3, "fast path took only \(taken) of \(total)")
    }

    @Test func allSignificandsAndExponentsNearTiesMatch() {
        // m * 10^e for random m < 2^24 written in several ways, every exponent in -10...10.
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            let m = rng.nextInt(below: 1 << 24)
            for e in -10...10 {
                #expect(check("\(m)e\(e)"))
                let digits = String(m)
                if e < 0 && -e < digits.count {
                    let cut = digits.index(digits.endIndex, offsetBy: e)
                    #expect(check(String(digits[..<cut]) + "." + String(digits[cut...])))
                }
            }
        }
        // Exact halfway cases between adjacent floats above 2^24 (odd m * 2 + 1 at 2^25..2^26).
        for m in stride(from: 16_777_217, to: 16_777_300, by: 2) {
            check(String(m))
            check(String(m) + "0e-1")
        }
    }

    /// A random decimal text: optional sign, integer digits (with leading zeros), optional
    /// point and fraction digits, optional exponent; now and then a stray character.
    static func randomDecimal(_ rng: inout SplitMix64) -> String {
        func digits(_ n: Int, _ rng: inout SplitMix64) -> String {
            String((0..<n).map { _ in Character(String(rng.nextInt(below: 10))) })
        }
        var s = ["", "", "", "-", "+"][rng.nextInt(below: 5)]
        let integerDigits = [0, 1, 1, 2, 3, 4, 6, 8, 10, 20][rng.nextInt(below: 10)]
        if rng.nextInt(below: 4) == 0 { s += String(repeating: "0", count: rng.nextInt(below: 4)) }
        s += digits(integerDigits, &rng)
        switch rng.nextInt(below: 4) {
        case 0: break
        case 1: s += "."
        default: s += "." + digits([0, 1, 2, 3, 5, 7, 9, 12][rng.nextInt(below: 8)], &rng)
        }
        if rng.nextInt(below: 3) == 0 {
            s += ["e", "E"][rng.nextInt(below: 2)] + ["", "-", "+"][rng.nextInt(below: 3)]
            if rng.nextInt(below: 4) == 0 { s += "0" }
            s += String(rng.nextInt(below: [3, 12, 40, 60][rng.nextInt(below: 4)]))
        }
        if rng.nextInt(below: 50) == 0 {
            let stray = ["e", ".", "-", "+", " ", "x", "1e"][rng.nextInt(below: 7)]
            let at = s.index(s.startIndex, offsetBy: rng.nextInt(below: s.count + 1))
            s.insert(contentsOf: stray, at: at)
        }
        return s
    }

    @Test func parseNumberKeepsItsRulesAndMessages() throws {
        func message(_ text: String) -> String? {
            do { _ = try CSVReader.parseNumber(text, column: "c", file: "f", line: 3); return nil } catch {
                if case .data(_, let line, let m) = error { #expect(line == 3); return m }
                return nil
            }
        }
        #expect(message(" ") == "column 'c' is empty (missing values are not supported)")
        #expect(message("NaN") == "column 'c' is NaN; values must be finite numbers")
        #expect(message("-Infinity") == "column 'c' is -Infinity; values must be finite numbers")
        #expect(message("1e39") == "column 'c' value 1e39 is out of the float32 range")
        #expect(message("0x1p3") == "column 'c' value '0x1p3' is not a number")
        #expect(message("1e") == "column 'c' value '1e' is not a number")
        #expect(try CSVReader.parseNumber(" 1. ", column: "c", file: "f", line: 1) == 1)
        #expect(try CSVReader.parseNumber("\t.5", column: "c", file: "f", line: 1) == 0.5)
        #expect(try CSVReader.parseNumber("1e-50", column: "c", file: "f", line: 1) == 0)
    }
}
