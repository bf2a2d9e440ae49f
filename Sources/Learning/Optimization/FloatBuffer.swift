/// Zeroed float32 storage that outlives any one call, for the per-parameter state of an
/// optimizer (velocity, Adam's moments) and of the l1 truncation (q): raw, so that the blocks
/// of a step can update disjoint parts of it from several threads at once.
final class FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    /// A copy of the contents (for a checkpoint).
    var copy: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Replaces the contents (from a checkpoint); `saved.count == count`.
    func restore(_ saved: [Float]) {
        precondition(saved.count == count)
        _ = UnsafeMutableBufferPointer(start: pointer, count: count).update(fromContentsOf: saved)
    }
}
