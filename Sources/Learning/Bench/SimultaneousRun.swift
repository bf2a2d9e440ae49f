import Foundation
import Synchronization

/// Runs one body on several threads of its own at the same time, for the bench's
/// measurements of the machine (``PeakFlops``, ``ReadBandwidth``). Each thread announces its
/// arrival and spins until every thread has arrived; only then does it read the clock and run
/// the body. No thread can therefore start before the last one is ready, and the run's window
/// (first start to last end) covers them all working at once. The threads are fresh ones, not
/// a pool's, so no thread waits at the barrier for work queued behind itself.
public enum SimultaneousRun {
    /// One thread's times on the uptime clock, in nanoseconds.
    public struct Window: Sendable, Equatable {
        /// When it reached the barrier, when it started the body, when the body returned.
        public var arrived: UInt64
        public var start: UInt64
        public var end: UInt64
    }

    /// Runs `body(thread)` for thread = 0..<threads on `threads` new threads at once and
    /// returns each thread's window, in thread order.
    public static func run(threads: Int, _ body: @escaping @Sendable (_ thread: Int) -> Void) -> [Window] {
        precondition(threads >= 1)
        let arrivals = Arrivals()
        let windows = Mutex([Window](repeating: Window(arrived: 0, start: 0, end: 0), count: threads))
        let done = DispatchSemaphore(value: 0)
        for t in 0..<threads {
            let thread = Thread {
                let arrived = DispatchTime.now().uptimeNanoseconds
                arrivals.count.add(1, ordering: .acquiringAndReleasing)
                // Yielding while waiting lets a thread that has not arrived yet run even when
                // there are more threads than cores.
                while arrivals.count.load(ordering: .acquiring) < threads { sched_yield() }
                let start = DispatchTime.now().uptimeNanoseconds
                body(t)
                let end = DispatchTime.now().uptimeNanoseconds
                windows.withLock { $0[t] = Window(arrived: arrived, start: start, end: end) }
                done.signal()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        for _ in 0..<threads { done.wait() }
        return windows.withLock { $0 }
    }

    /// The seconds from the first start to the last end of `windows`.
    public static func seconds(_ windows: [Window]) -> Double {
        let first = windows.map(\.start).min()!, last = windows.map(\.end).max()!
        return Double(last - first) / 1e9
    }

    private final class Arrivals: Sendable {
        let count = Atomic<Int>(0)
    }
}
