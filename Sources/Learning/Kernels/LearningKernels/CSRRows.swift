/// Pointers to CSR rows: row r is entries offsets[r] ..< offsets[r + 1] of columns and values.
package struct CSRRows {
    package let offsets: UnsafePointer<Int>
    package let columns: UnsafePointer<Int32>
    package let values: UnsafePointer<Float>

    package init(offsets: UnsafePointer<Int>, columns: UnsafePointer<Int32>, values: UnsafePointer<Float>) {
        self.offsets = offsets
        self.columns = columns
        self.values = values
    }
}
