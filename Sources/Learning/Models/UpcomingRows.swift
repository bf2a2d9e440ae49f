internal import LearningKernels

/// Rows of the data that a thread's next shard will read: its backward pass fetches them into
/// the cache while it computes (``LearningKernels/RowPrefetch``), so that the next forward
/// pass, which would otherwise wait for each shuffled row to arrive from memory, finds them
/// there. A hint for speed only: it never changes a result.
struct UpcomingRows {
    /// (count) indices of rows of the data.
    let rows: UnsafePointer<Int32>
    let count: Int

    /// The prefetch walk over these rows of x (n, d).
    func prefetch(x: UnsafePointer<Float>, d: Int) -> RowPrefetch {
        RowPrefetch(x: x, rows: rows, count: count, d: d)
    }
}
