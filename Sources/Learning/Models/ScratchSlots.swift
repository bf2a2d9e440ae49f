import Foundation

/// Hands out scratch buffers to the shards running at one moment: at most one per worker,
/// so scratch memory does not grow with the data.
final class ScratchSlots: @unchecked Sendable {
    // A pthread mutex (NSLock) rather than Synchronization's Mutex: ThreadSanitizer sees
    // through it, while Mutex's futex path inside the standard library is invisible to it
    // and makes it report a race that is not there.
    private let lock = NSLock()
    private var free: [Int]
    init(count: Int) { free = Array(0..<count) }
    func acquire() -> Int { lock.withLock { free.removeLast() } }
    func release(_ slot: Int) { lock.withLock { free.append(slot) } }
}
