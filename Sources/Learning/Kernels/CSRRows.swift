/// Pointers to CSR rows: row r is entries offsets[r] ..< offsets[r + 1] of columns and values.
struct CSRRows {
    let offsets: UnsafePointer<Int>
    let columns: UnsafePointer<Int32>
    let values: UnsafePointer<Float>
}

extension SparseDataset {
    /// Runs `body` with pointers to the rows (valid inside `body` only).
    func withCSRRows<R>(_ body: (CSRRows) throws -> R) rethrows -> R {
        try rowOffsets.withUnsafeBufferPointer { offsets in
            try columns.withUnsafeBufferPointer { columns in
                try values.withUnsafeBufferPointer { values in
                    try body(CSRRows(offsets: offsets.baseAddress!, columns: columns.baseAddress!, values: values.baseAddress!))
                }
            }
        }
    }
}
