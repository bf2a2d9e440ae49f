import Foundation

/// Reads NumPy `.npy` files (format versions 1 to 3): C-order arrays of float32, float64,
/// integers or fixed-width Unicode strings, little-endian.
///
/// Features go straight from the file into the result array, so loading needs no second copy
/// of the data.
public enum NPYReader {
    /// What the header says.
    struct Header {
        enum Kind { case float32, float64, int(bytes: Int, signed: Bool), unicode(chars: Int) }
        var kind: Kind
        var shape: [Int]
        var dataOffset: Int
        var elementBytes: Int {
            switch kind {
            case .float32: return 4
            case .float64: return 8
            case .int(let b, _): return b
            case .unicode(let c): return 4 * c
            }
        }
    }

    /// A 2-D numeric array as float32, row-major (rows, columns). A 1-D array is one column.
    public static func readMatrix(path: String) throws(LearningError) -> (values: [Float], rows: Int, columns: Int) {
        let (handle, header) = try open(path)
        defer { try? handle.close() }
        guard header.shape.count == 1 || header.shape.count == 2 else {
            throw .data(file: path, line: nil, message: "expected a 1-D or 2-D array, found shape \(header.shape)")
        }
        let rows = header.shape[0], columns = header.shape.count == 2 ? header.shape[1] : 1
        let count = rows * columns
        guard count > 0 else { throw .data(file: path, line: nil, message: "the array is empty (shape \(header.shape))") }
        var values = [Float]()
        switch header.kind {
        case .float32:
            values = try readFloat32(handle, count: count, path: path)
        case .float64:
            values = zerosOnHugePages(count: count)
            try readConverting(handle, count: count, elementBytes: 8, path: path) { raw, n, start in
                for i in 0..<n {
                    values[start + i] = Float(raw.loadUnaligned(fromByteOffset: 8 * i, as: Double.self))
                }
            }
        case .int(let bytes, let signed):
            values = zerosOnHugePages(count: count)
            try readConverting(handle, count: count, elementBytes: bytes, path: path) { raw, n, start in
                for i in 0..<n { values[start + i] = integer(raw, i, bytes, signed).floatValue }
            }
        case .unicode:
            throw .data(file: path, line: nil, message: "holds strings; features must be numbers")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw .data(file: path, line: nil,
                        message: "element \(bad) (row \(bad / columns), column \(bad % columns)) is not a finite float32 value")
        }
        return (values, rows, columns)
    }

    /// A 1-D array of labels as text: integers as decimal ("3"), floats with integral values
    /// as integers, others as Swift prints them, strings as they are.
    public static func readLabels(path: String) throws(LearningError) -> [String] {
        let (handle, header) = try open(path)
        defer { try? handle.close() }
        guard header.shape.count == 1 || (header.shape.count == 2 && header.shape[1] == 1) else {
            throw .data(file: path, line: nil, message: "labels must be a 1-D array, found shape \(header.shape)")
        }
        let count = header.shape[0]
        var labels = [String]()
        labels.reserveCapacity(count)
        switch header.kind {
        case .unicode(let chars):
            // Strings are text as in CSV ("nan" is a class name). Trailing zeros are numpy's
            // padding; a value that is not a Unicode scalar (a surrogate, above U+10FFFF) is an
            // error, since dropping it could merge distinct labels.
            var invalid: (label: Int, value: UInt32)? = nil
            var empty: Int? = nil
            try readConverting(handle, count: count, elementBytes: 4 * chars, path: path) { raw, n, start in
                for i in 0..<n where invalid == nil {
                    func char(_ c: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: (i * chars + c) * 4, as: UInt32.self) }
                    var length = chars
                    while length > 0 && char(length - 1) == 0 { length -= 1 }
                    if length == 0 && empty == nil { empty = start + i }
                    var s = String.UnicodeScalarView()
                    for c in 0..<length {
                        guard let u = Unicode.Scalar(char(c)) else {
                            invalid = (start + i, char(c))
                            break
                        }
                        s.append(u)
                    }
                    labels.append(String(s))
                }
            }
            // As in CSV, where an empty label is an error.
            if let empty { throw .data(file: path, line: nil, message: "label \(empty) is empty") }
            if let invalid {
                throw .data(file: path, line: nil, message: "label \(invalid.label) holds 0x\(String(invalid.value, radix: 16, uppercase: true)), "
                                + "which is not a Unicode character")
            }
        case .int(let bytes, let signed):
            try readConverting(handle, count: count, elementBytes: bytes, path: path) { raw, n, _ in
                for i in 0..<n { labels.append(integer(raw, i, bytes, signed).text) }
            }
        case .float32, .float64:
            let wide = header.elementBytes == 8
            var nonFinite: (index: Int, value: Double)? = nil
            try readConverting(handle, count: count, elementBytes: header.elementBytes, path: path) { raw, n, start in
                for i in 0..<n {
                    let v = wide ? raw.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)
                        : Double(raw.loadUnaligned(fromByteOffset: 4 * i, as: Float.self))
                    if !v.isFinite && nonFinite == nil { nonFinite = (start + i, v) }
                    labels.append(v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)")
                }
            }
            // Only numbers are checked: a string label "nan" or "inf" is text, as in CSV.
            if let nonFinite { throw .data(file: path, line: nil, message: "label \(nonFinite.index) is \(nonFinite.value)") }
        }
        return labels
    }

    /// An integer element of any supported width and signedness, kept exactly: a uint64 of
    /// 2^63 or more is not an Int64 (it used to be read as a negative number).
    enum Integer {
        case signed(Int64)
        case unsigned(UInt64)

        var floatValue: Float {
            switch self {
            case .signed(let v): Float(v)
            case .unsigned(let v): Float(v)
            }
        }

        var text: String {
            switch self {
            case .signed(let v): String(v)
            case .unsigned(let v): String(v)
            }
        }
    }

    @inline(__always)
    static func integer(_ raw: UnsafeRawBufferPointer, _ i: Int, _ bytes: Int, _ signed: Bool) -> Integer {
        switch (bytes, signed) {
        case (1, true): return .signed(Int64(raw.load(fromByteOffset: i, as: Int8.self)))
        case (1, false): return .unsigned(UInt64(raw.load(fromByteOffset: i, as: UInt8.self)))
        case (2, true): return .signed(Int64(raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
        case (2, false): return .unsigned(UInt64(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        case (4, true): return .signed(Int64(raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
        case (4, false): return .unsigned(UInt64(raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        case (8, false): return .unsigned(raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
        default: return .signed(raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
        }
    }

    private static func open(_ path: String) throws(LearningError) -> (FileHandle, Header) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw .data(file: path, line: nil, message: isDir.boolValue ? "is a folder, not a data file" : "no such file")
        }
        try InputFile.checkKind(path) { .data(file: path, line: nil, message: $0) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .data(file: path, line: nil, message: "cannot read the file (check its permissions)")
        }
        do {
            let header = try parseHeader(handle, path: path)
            // The data the header promises must be in the file before anything is allocated
            // for it: a few bytes of header can claim any shape. Bytes after it are an error
            // too: they mean the header does not describe the file (another shape or type).
            var count = 1
            for d in header.shape {
                let (c, overflow) = count.multipliedReportingOverflow(by: d)
                if overflow { throw LearningError.data(file: path, line: nil, message: "not a valid .npy file: shape \(header.shape) is too large") }
                count = c
            }
            var info = stat()
            let (bytes, overflow) = count.multipliedReportingOverflow(by: header.elementBytes)
            let (end, past) = bytes.addingReportingOverflow(header.dataOffset)
            let size = fstat(handle.fileDescriptor, &info) == 0 ? Int(info.st_size) : nil
            if overflow || past || size.map({ $0 < end }) == true {
                throw LearningError.data(file: path, line: nil, message: "the file is shorter than its header says (truncated?)")
            }
            if let size, size > end {
                throw LearningError.data(file: path, line: nil,
                                         message: "the file has \(size - end) bytes after the array's data (its header gives shape "
                                             + "\(header.shape) of \(header.elementBytes)-byte elements, \(end) bytes in all); "
                                             + "it is not one array as numpy.save writes it")
            }
            try handle.seek(toOffset: UInt64(header.dataOffset))
            return (handle, header)
        } catch let e as LearningError {
            try? handle.close()
            throw e
        } catch {
            try? handle.close()
            throw .data(file: path, line: nil, message: "cannot read the file: \(error.localizedDescription)")
        }
    }

    /// Parses the magic string, version, header length and the header dictionary
    /// `{'descr': '<f4', 'fortran_order': False, 'shape': (n, d), }`.
    static func parseHeader(_ handle: FileHandle, path: String) throws -> Header {
        func bad(_ m: String) -> LearningError { .data(file: path, line: nil, message: "not a valid .npy file: " + m) }
        guard let prefix = try handle.read(upToCount: 10), prefix.count == 10 else { throw bad("too short") }
        let p = [UInt8](prefix)
        guard p[0] == 0x93, Array(p[1..<6]) == Array("NUMPY".utf8) else { throw bad("no NUMPY magic string") }
        let major = p[6]
        var headerLength: Int
        var offset: Int
        switch major {
        case 1:
            headerLength = Int(p[8]) | Int(p[9]) << 8
            offset = 10
        case 2, 3:
            guard let more = try handle.read(upToCount: 2), more.count == 2 else { throw bad("too short") }
            let m = [UInt8](more)
            headerLength = Int(p[8]) | Int(p[9]) << 8 | Int(m[0]) << 16 | Int(m[1]) << 24
            offset = 12
        default: throw bad("format version \(major) is not supported (1 to 3 are)")
        }
        guard headerLength > 0 && headerLength < 1 << 20,
              let h = try handle.read(upToCount: headerLength), h.count == headerLength else { throw bad("truncated header") }
        let text = String(decoding: h, as: UTF8.self)
        func value(_ key: String) -> Substring? {
            guard let r = text.range(of: "'\(key)':") else { return nil }
            return text[r.upperBound...].drop { $0 == " " }
        }
        let descrText = value("descr")
        if descrText?.first == "[" {
            throw LearningError.data(file: path, line: nil,
                                     message: "structured arrays (a 'descr' of named fields) are not supported; "
                                         + "save a plain array of float32, float64, integers or strings")
        }
        guard let descrText, descrText.first == "'", let end = descrText.dropFirst().firstIndex(of: "'") else {
            throw bad("no 'descr' in the header")
        }
        let descr = String(descrText[descrText.index(after: descrText.startIndex)..<end])
        guard let fortran = value("fortran_order") else { throw bad("no 'fortran_order' in the header") }
        if fortran.hasPrefix("True") {
            throw LearningError.data(file: path, line: nil, message: "the array is in Fortran order; save it in C order (numpy.ascontiguousarray)")
        }
        guard let shapeText = value("shape"), shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
            throw bad("no 'shape' in the header")
        }
        let dims = shapeText[shapeText.index(after: shapeText.startIndex)..<close].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape: [Int] = []
        for d in dims {
            guard let v = Int(d), v >= 0 else { throw bad("bad shape \(shapeText[...close])") }
            shape.append(v)
        }
        let order = descr.first
        let code = descr.dropFirst()
        if order == ">" && !(code == "i1" || code == "u1") {
            throw LearningError.data(file: path, line: nil, message: "big-endian arrays (\(descr)) are not supported; convert with astype('<f4')")
        }
        let kind: Header.Kind
        switch code {
        case "f4": kind = .float32
        case "f8": kind = .float64
        case "i1", "i2", "i4", "i8": kind = .int(bytes: Int(code.dropFirst())!, signed: true)
        case "u1", "u2", "u4", "u8", "b1": kind = .int(bytes: Int(code.dropFirst())!, signed: false)
        default:
            if code.hasPrefix("U"), let n = Int(code.dropFirst()), n > 0, n <= 1 << 24 {
                kind = .unicode(chars: n)
            } else {
                throw LearningError.data(file: path, line: nil, message: "element type \(descr) is not supported (float32, float64, integers or strings are)")
            }
        }
        return Header(kind: kind, shape: shape, dataOffset: offset + headerLength)
    }

    private static func readFloat32(_ handle: FileHandle, count: Int, path: String) throws(LearningError) -> [Float] {
        var failed = false
        let values = floatsOnHugePages(count: count) { buffer in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            var done = 0
            while done < raw.count {
                let n = Foundation.read(handle.fileDescriptor, raw.baseAddress! + done, min(raw.count - done, 1 << 26))
                if n <= 0 { failed = true; break }
                done += n
            }
            if failed { raw.initializeMemory(as: UInt8.self, repeating: 0) }
        }
        if failed { throw .data(file: path, line: nil, message: "the file is shorter than its header says (truncated?)") }
        return values
    }

    /// Reads `count` elements in blocks and hands each block to `convert(raw, n, firstIndex)`.
    private static func readConverting(_ handle: FileHandle, count: Int, elementBytes: Int, path: String,
                                       _ convert: (UnsafeRawBufferPointer, Int, Int) -> Void) throws(LearningError) {
        let block = max(1, (1 << 22) / elementBytes)
        var start = 0
        while start < count {
            let n = min(block, count - start)
            let data: Data?
            do { data = try handle.read(upToCount: n * elementBytes) } catch {
                throw .data(file: path, line: nil, message: "cannot read the file: \(error.localizedDescription)")
            }
            guard let data, data.count == n * elementBytes else {
                throw .data(file: path, line: nil, message: "the file is shorter than its header says (truncated?)")
            }
            data.withUnsafeBytes { convert($0, n, start) }
            start += n
        }
    }
}
