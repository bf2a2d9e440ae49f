import Dispatch
import Foundation
import Synchronization

/// Long-lived helper threads that a ``WorkerPool`` hands shards to, so that a parallel call
/// costs well under a microsecond instead of the ~6 us of waking threads for every call.
///
/// The helpers are the iterations of one `DispatchQueue.concurrentPerform` that runs for the
/// team's lifetime. Between jobs each helper spins on the job word for a while, then sleeps on a
/// semaphore. A job is published in one atomic word (generation, shard count, next shard);
/// everyone, the calling thread included, takes shards by compare-and-swap on that word, and
/// the caller waits until all shards are *finished*, never for helpers to arrive: a helper that
/// is slow to start, or never starts, blocks nothing.
///
/// A helper that has *taken* a shard must finish it, though. On a shared machine a helper's
/// core can be taken away for milliseconds in the middle of a shard (another process, or the
/// host running another guest on that virtual CPU), and every call then waits for it: two
/// workers ran W3 up to 25% slower than one. So the team adapts how many helpers take shards
/// (``adapt(busy:waited:)``): after a call in which the caller, out of shards, waited longer
/// for the helpers than it had worked itself, one helper stops taking shards; after
/// `probeAfter` calls without such a wait one comes back, and each drop doubles `probeAfter`
/// (up to 4096 calls, about a second of W3), which halves back after quiet stretches. With no
/// helper left the caller runs the calls alone, publishing nothing. Results do not change:
/// they never depend on which thread runs a shard.
final class WorkerTeam: @unchecked Sendable {
    /// Bits of the job word: generation (24) | shard count (20) | next shard (20).
    private static let indexBits: UInt64 = 20
    private static let indexMask: UInt64 = (1 << 20) - 1
    static let maxShards = Int(indexMask)

    private let word = Atomic<UInt64>(0)
    private let finished = Atomic<Int>(0)
    private let jobBody = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let inUse = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    /// Helpers that have started and not yet left; the last one to leave signals `exited`. (A
    /// helper that starts after `stop()` can signal too, once every earlier one has left: the
    /// extra signal only ever ends a wait that has nothing left to wait for.)
    private let running = Atomic<Int>(0)
    private let exited = DispatchSemaphore(value: 0)
    private var generation: UInt64 = 0  // touched by the caller only, under `inUse`
    private let helperCount: Int
    /// Helpers 0..<activeHelpers take shards; the others sleep through jobs.
    private let activeHelpers: Atomic<Int>
    // Adaptation state, touched by the caller only, under `inUse`.
    private var cleanCalls = 0
    private var probeAfter = WorkerTeam.minProbe
    static let minProbe = 16
    static let maxProbe = 4096
    /// A wait shorter than this never counts as a lag (nanoseconds).
    static let lagFloor: UInt64 = 20_000

    /// The number of helpers that take shards now (all of them unless some lagged).
    var activeHelperCount: Int { activeHelpers.load(ordering: .relaxed) }
    /// Polls of the job word before a helper sleeps (tens of microseconds).
    private let spinLimit = 20_000

    init(helpers: Int) {
        precondition(helpers >= 1)
        helperCount = helpers
        activeHelpers = Atomic(helpers)
        // The closure keeps the team alive until every helper has left, including helpers that
        // start only after `stop()` has returned.
        DispatchQueue.global().async {
            DispatchQueue.concurrentPerform(iterations: helpers) { index in
                self.running.add(1, ordering: .sequentiallyConsistent)
                if !self.stopping.load(ordering: .sequentiallyConsistent) { self.helperLoop(index: index) }
                if self.running.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 { self.exited.signal() }
            }
        }
    }

    /// Stops the helpers and waits until those that have started have left.
    ///
    /// It never waits for a helper that has not started: Dispatch starts the helpers only when
    /// it has threads for them, which can take seconds, or as long as other work keeps its
    /// threads busy. Such a helper sees `stopping` when it starts and leaves at once. (Either
    /// `stop` sees a helper's count in `running` and waits for it, or the helper sees
    /// `stopping`: both sides store, then load, sequentially consistent.)
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wakeSleepers()
        if running.load(ordering: .sequentiallyConsistent) > 0 { exited.wait() }
    }

    /// Runs `body(shard)` for every shard in `0..<count`. Returns false, having run nothing,
    /// when the team is busy (a call from inside a shard, or from a second thread); the
    /// caller then runs the shards itself.
    func run(_ count: Int, _ body: (Int) -> Void) -> Bool {
        precondition(count >= 1 && count <= Self.maxShards)
        guard inUse.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { inUse.store(false, ordering: .releasing) }
        if activeHelpers.load(ordering: .relaxed) == 0 {
            // Every helper lagged: the caller runs the shards alone until the next probe.
            adapt(busy: 1, waited: 0)
            return false
        }
        let start = DispatchTime.now().uptimeNanoseconds
        var ownDone = start
        withoutActuallyEscaping(body) { body in
            let job = Job(body)
            withExtendedLifetime(job) {
                jobBody.store(Int(bitPattern: Unmanaged.passUnretained(job).toOpaque()), ordering: .releasing)
                finished.store(0, ordering: .relaxed)
                generation = (generation + 1) & 0xFF_FFFF
                let g = generation
                word.store(g << (2 * Self.indexBits) | UInt64(count) << Self.indexBits, ordering: .sequentiallyConsistent)
                wakeSleepers()
                while let shard = take(generation: g) {
                    job.body(shard)
                    finished.add(1, ordering: .releasing)
                }
                ownDone = DispatchTime.now().uptimeNanoseconds
                var polls = 0
                while finished.load(ordering: .acquiring) < count {
                    polls += 1
                    if polls > 1000 { sched_yield() }
                }
            }
        }
        adapt(busy: ownDone - start, waited: DispatchTime.now().uptimeNanoseconds - ownDone)
        return true
    }

    /// Drops a helper after a call in which the caller, out of shards, waited longer for the
    /// helpers' last shards than it had worked itself (and over ``lagFloor``): with shards of
    /// similar size that wait is at most about one shard, so a longer one means a helper stood
    /// still. Brings one back after `probeAfter` calls without such a wait.
    /// - Parameters: busy, waited: nanoseconds of the caller's own shards and of its wait.
    private func adapt(busy: UInt64, waited: UInt64) {
        let active = activeHelpers.load(ordering: .relaxed)
        if waited > busy && waited > Self.lagFloor {
            if active > 0 { activeHelpers.store(active - 1, ordering: .relaxed) }
            probeAfter = min(probeAfter * 2, Self.maxProbe)
            cleanCalls = 0
            return
        }
        cleanCalls += 1
        guard cleanCalls >= probeAfter else { return }
        cleanCalls = 0
        if active < helperCount {
            activeHelpers.store(active + 1, ordering: .relaxed)
        } else {
            probeAfter = max(Self.minProbe, probeAfter / 2)
        }
    }

    private func wakeSleepers() {
        let n = sleepers.exchange(0, ordering: .sequentiallyConsistent)
        for _ in 0..<n { wake.signal() }
    }

    /// The next untaken shard of generation `g`, or nil when there is none.
    @inline(__always)
    private func take(generation g: UInt64) -> Int? {
        while true {
            let v = word.load(ordering: .acquiring)
            let count = (v >> Self.indexBits) & Self.indexMask, next = v & Self.indexMask
            if v >> (2 * Self.indexBits) != g || next >= count { return nil }
            if word.compareExchange(expected: v, desired: v + 1, ordering: .acquiringAndReleasing).exchanged {
                return Int(next)
            }
        }
    }

    private func helperLoop(index: Int) {
        var seen = word.load(ordering: .acquiring) >> (2 * Self.indexBits)
        while true {
            // Wait for a new generation: spin, then sleep (at once while this helper takes no
            // shards, so that it spends no time on a core that is wanted elsewhere).
            var polls = 0
            while true {
                if stopping.load(ordering: .relaxed) { return }
                let g = word.load(ordering: .acquiring) >> (2 * Self.indexBits)
                if g != seen {
                    seen = g
                    if index < activeHelpers.load(ordering: .relaxed) { break }
                    continue
                }
                polls += 1
                if polls < spinLimit && index < activeHelpers.load(ordering: .relaxed) { continue }
                polls = 0
                sleepers.add(1, ordering: .sequentiallyConsistent)
                let now = word.load(ordering: .sequentiallyConsistent) >> (2 * Self.indexBits)
                if now == seen && !stopping.load(ordering: .sequentiallyConsistent) {
                    wake.wait()
                } else if !withdrawSleeper() {
                    wake.wait()  // a waker counted us and will signal: take that signal
                }
            }
            // Work on it until no shard is left.
            while let shard = take(generation: seen) {
                // Use the job without retaining it: the caller owns it until every shard has
                // finished, and a retain here could outlive the caller's borrow of `body`.
                Unmanaged<Job>.fromOpaque(UnsafeRawPointer(bitPattern: jobBody.load(ordering: .acquiring))!)
                    ._withUnsafeGuaranteedRef { $0.body(shard) }
                finished.add(1, ordering: .releasing)
            }
        }
    }

    /// Takes one sleeper back out of the count; false when a waker already took it.
    private func withdrawSleeper() -> Bool {
        var s = sleepers.load(ordering: .sequentiallyConsistent)
        while s > 0 {
            let r = sleepers.compareExchange(expected: s, desired: s - 1, ordering: .sequentiallyConsistent)
            if r.exchanged { return true }
            s = r.original
        }
        return false
    }

    private final class Job {
        let body: (Int) -> Void
        init(_ body: @escaping (Int) -> Void) { self.body = body }
    }
}
