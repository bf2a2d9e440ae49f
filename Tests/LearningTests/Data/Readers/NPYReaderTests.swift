import Foundation
import Testing
@testable import Learning

/// Writes .npy files byte by byte from the format description (version 1.0 header).
enum NPYWriter {
    /// - Parameter descrText: the descr's Python text in place of `'descr'` (a structured dtype's list).
    static func bytes(descr: String, descrText: String? = nil, shape: [Int], fortran: Bool = false, body: [UInt8]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': \(descrText ?? "'\(descr)'"), 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let n = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + body
    }

    static func raw<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    static func write(_ dir: TempFolder, _ name: String, _ bytes: [UInt8]) -> String {
        let path = dir.file(name)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }
}

@Suite struct NPYReaderTests {
    @Test func readsFloat32AndFloat64Matrices() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let values: [Float] = [1.5, -2, 3.25, 0, 1e-30, 7]
        let f4 = NPYWriter.write(dir, "a.npy", NPYWriter.bytes(descr: "<f4", shape: [2, 3], body: NPYWriter.raw(values)))
        let m = try NPYReader.readMatrix(path: f4)
        #expect(m.values == values && m.rows == 2 && m.columns == 3)
        let f8 = NPYWriter.write(dir, "b.npy", NPYWriter.bytes(descr: "<f8", shape: [3, 2], body: NPYWriter.raw(values.map(Double.init))))
        let m8 = try NPYReader.readMatrix(path: f8)
        #expect(m8.values == values && m8.rows == 3 && m8.columns == 2)
    }

    @Test func readsIntegerFloatAndStringLabels() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let ints = NPYWriter.write(dir, "i.npy", NPYWriter.bytes(descr: "<i8", shape: [3], body: NPYWriter.raw([Int64(3), -1, 10])))
        #expect(try NPYReader.readLabels(path: ints) == ["3", "-1", "10"])
        let u1 = NPYWriter.write(dir, "u.npy", NPYWriter.bytes(descr: "|u1", shape: [2], body: [7, 255]))
        #expect(try NPYReader.readLabels(path: u1) == ["7", "255"])
        let floats = NPYWriter.write(dir, "f.npy", NPYWriter.bytes(descr: "<f4", shape: [2], body: NPYWriter.raw([Float(1), 2.5])))
        #expect(try NPYReader.readLabels(path: floats) == ["1", "2.5"])
        // '<U3': three UTF-32 code units per element, zero padded.
        let text: [UInt32] = [0x63, 0x61, 0x74, 0x64, 0x6F, 0]  // "cat", "do"
        let strings = NPYWriter.write(dir, "s.npy", NPYWriter.bytes(descr: "<U3", shape: [2], body: NPYWriter.raw(text)))
        #expect(try NPYReader.readLabels(path: strings) == ["cat", "do"])
    }

    @Test func badFilesAreErrorsNamingTheFile() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        func message(_ bytes: [UInt8]) -> String? {
            let path = NPYWriter.write(dir, "x.npy", bytes)
            do { _ = try NPYReader.readMatrix(path: path); return nil } catch {
                guard case .data(let file, _, let m) = error, file == path else { return nil }
                return m
            }
        }
        let four = NPYWriter.raw([Float](repeating: 1, count: 4))
        #expect(try #require(message([1, 2, 3])).contains("not a valid .npy"))
        #expect(try #require(message(Array("NOTNUMPY..........".utf8))).contains("magic"))
        #expect(try #require(message(NPYWriter.bytes(descr: "<f4", shape: [2, 2], fortran: true, body: four))).contains("Fortran"))
        #expect(try #require(message(NPYWriter.bytes(descr: "<f4", shape: [3, 2], body: four))).contains("shorter"))
        #expect(try #require(message(NPYWriter.bytes(descr: "<c8", shape: [2], body: four))).contains("not supported"))
        #expect(try #require(message(NPYWriter.bytes(descr: "<f4", shape: [2, 2], body: NPYWriter.raw([Float(1), .nan, 2, 3])))).contains("row 0, column 1"))
        #expect(try #require(message(NPYWriter.bytes(descr: "<f4", shape: [2, 2, 1], body: four))).contains("2-D"))
    }

    @Test("structured arrays and bytes after the data are errors that say so")
    func structuredArraysAndTrailingBytes() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        func message(_ bytes: [UInt8], labels: Bool = false) -> String? {
            let path = NPYWriter.write(dir, "x.npy", bytes)
            do {
                if labels { _ = try NPYReader.readLabels(path: path) } else { _ = try NPYReader.readMatrix(path: path) }
                return nil
            } catch {
                guard case .data(let file, nil, let m) = error, file == path else { return "\(error)" }
                return m
            }
        }
        let four = NPYWriter.raw([Float](repeating: 1, count: 4))
        // numpy.save of a structured array: 'descr' is a list of (name, type) fields.
        let record = NPYWriter.bytes(descr: "", descrText: "[('a', '<f4'), ('b', '<f4')]", shape: [2], body: four)
        #expect(message(record)?.contains("structured arrays") == true)
        #expect(message(record, labels: true)?.contains("structured arrays") == true)
        // Bytes after the data that the header's shape and type give: the header does not
        // describe the file (they were ignored).
        let five = NPYWriter.raw([Float](repeating: 1, count: 5))
        for labels in [false, true] {
            let m = message(NPYWriter.bytes(descr: "<f4", shape: [4], body: five), labels: labels)
            #expect(m?.contains("4 bytes after the array's data") == true, "\(m ?? "no error")")
        }
        #expect(message(NPYWriter.bytes(descr: "<f4", shape: [4], body: four)) == nil)
    }

    @Test("string labels are text: 'nan' and 'inf' are class names; code points that are not characters are errors")
    func stringLabelsAreText() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        func utf32(_ labels: [String], width: Int) -> [UInt8] {
            NPYWriter.raw(labels.flatMap { l -> [UInt32] in
                let v = l.unicodeScalars.map(\.value)
                return v + [UInt32](repeating: 0, count: width - v.count)
            })
        }
        let names = ["nan", "inf", "-inf", "Tinf", "a\u{0}b", "c"]
        let path = NPYWriter.write(dir, "s.npy", NPYWriter.bytes(descr: "<U4", shape: [6], body: utf32(names, width: 4)))
        #expect(try NPYReader.readLabels(path: path) == names)  // trailing zeros only are padding
        for bad in [UInt32(0xD800), 0x110000] {
            let text: [UInt32] = [0x61, 0x62, 0x63, bad, 0x64, 0]  // "abc", then "?d"
            let p = NPYWriter.write(dir, "b.npy", NPYWriter.bytes(descr: "<U3", shape: [2], body: NPYWriter.raw(text)))
            #expect(throws: LearningError.data(file: p, line: nil, message: "label 1 holds 0x\(String(bad, radix: 16, uppercase: true)), "
                + "which is not a Unicode character")) { try NPYReader.readLabels(path: p) }
        }
        // Numbers that are not finite are still errors.
        let inf = NPYWriter.write(dir, "f.npy", NPYWriter.bytes(descr: "<f8", shape: [2], body: NPYWriter.raw([1.0, -Double.infinity])))
        #expect(throws: LearningError.data(file: inf, line: nil, message: "label 1 is -inf")) { try NPYReader.readLabels(path: inf) }
    }

    @Test func headersClaimingHugeShapesAreErrorsNotCrashes() throws {
        // A few bytes of header can claim any shape: the reader must check the file holds the
        // data before allocating for it, and must not overflow computing its size.
        let dir = TempFolder()
        defer { dir.cleanup() }
        let four = NPYWriter.raw([Float](repeating: 1, count: 4))
        let cases: [(String, [Int], String)] = [
            ("<f4", [100_000_000, 100], "shorter"),  // 40 GB promised, 16 bytes there
            ("<f8", [1 << 40], "shorter"),
            ("<f4", [1 << 62, 4], "too large"),  // rows x columns overflows
            ("<f4", [1 << 31, 1 << 31, 1 << 31], "too large"),
            ("<i8", [Int.max / 8 + 1], "shorter"),  // bytes overflow
            ("<U4611686018427387904", [2], "not supported"),  // 4 bytes per character overflows
        ]
        for (descr, shape, fragment) in cases {
            let path = NPYWriter.write(dir, "h.npy", NPYWriter.bytes(descr: descr, shape: shape, body: four))
            for read in [{ _ = try NPYReader.readMatrix(path: path) }, { _ = try NPYReader.readLabels(path: path) }]
                as [() throws -> Void] {
                #expect(performing: read, throws: { error in
                    guard case .data(let file, nil, let m) = error as? LearningError else { return false }
                    return file == path && m.contains(fragment)
                })
            }
        }
    }

    @Test func tablesTakeLabelsFromAFileOrAColumn() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let x = NPYWriter.write(dir, "x.npy", NPYWriter.bytes(descr: "<f4", shape: [2, 3], body: NPYWriter.raw([Float(1), 2, 0, 4, 5, 1])))
        let y = NPYWriter.write(dir, "y.npy", NPYWriter.bytes(descr: "<i4", shape: [2], body: NPYWriter.raw([Int32(0), 1])))
        let fromFile = try #require(try TableLoading.load(path: x, label: "label", labels: y, labelColumn: nil))
        #expect(fromFile.features == [1, 2, 0, 4, 5, 1] && fromFile.labels == ["0", "1"] && fromFile.featureNames == ["f0", "f1", "f2"])
        let fromColumn = try #require(try TableLoading.load(path: x, label: "label", labels: nil, labelColumn: -1))
        #expect(fromColumn.features == [1, 2, 4, 5] && fromColumn.labels == ["0", "1"] && fromColumn.featureNames == ["f0", "f1"])
        #expect(throws: LearningError.self) { try TableLoading.load(path: x, label: "label", labels: nil, labelColumn: nil) }
        let short = NPYWriter.write(dir, "s.npy", NPYWriter.bytes(descr: "<i4", shape: [1], body: NPYWriter.raw([Int32(0)])))
        #expect(throws: LearningError.self) { try TableLoading.load(path: x, label: "label", labels: short, labelColumn: nil) }
        #expect(try TableLoading.load(path: dir.file("a.csv"), label: "label", labels: nil, labelColumn: nil) == nil)
    }
}

@Suite struct NPYUnsignedTests {
    @Test("uint64 values of 2^63 and more are read as unsigned (features and labels)")
    func uint64AboveTwoToThe63() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        let values: [UInt64] = [1 << 63, UInt64.max, 5, 0]
        let x = NPYWriter.write(dir, "x.npy", NPYWriter.bytes(descr: "<u8", shape: [2, 2], body: NPYWriter.raw(values)))
        let m = try NPYReader.readMatrix(path: x)
        // 2^63 and 2^64 - 1 (which rounds to 2^64 in float32), not -2^63 and -1.
        #expect(m.values == [9.223372e18, 1.8446744e19, 5, 0])
        #expect(m.values[0] == Float(UInt64(1) << 63) && m.values[1] == Float(UInt64.max))
        let y = NPYWriter.write(dir, "y.npy", NPYWriter.bytes(descr: "<u8", shape: [4], body: NPYWriter.raw(values)))
        #expect(try NPYReader.readLabels(path: y) == ["9223372036854775808", "18446744073709551615", "5", "0"])
        // Signed int64 stays signed.
        let s = NPYWriter.write(dir, "s.npy", NPYWriter.bytes(descr: "<i8", shape: [2], body: NPYWriter.raw([Int64.min, -1])))
        #expect(try NPYReader.readLabels(path: s) == ["-9223372036854775808", "-1"])
    }
}

@Suite struct NPYEmptyLabelTests {
    @Test("an empty string label is an error, as in CSV")
    func emptyStringLabel() throws {
        let dir = TempFolder()
        defer { dir.cleanup() }
        // '<U2': two UTF-32 code units per label; label 1 is all padding, so "".
        let units: [UInt32] = [0x61, 0, 0, 0, 0x62, 0x63]
        let path = NPYWriter.write(dir, "y.npy", NPYWriter.bytes(descr: "<U2", shape: [3], body: NPYWriter.raw(units)))
        #expect(throws: LearningError.data(file: path, line: nil, message: "label 1 is empty")) {
            try NPYReader.readLabels(path: path)
        }
    }
}
