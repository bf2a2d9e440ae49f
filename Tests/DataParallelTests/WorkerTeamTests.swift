@testable import DataParallel
import Foundation
import Synchronization
import Testing

/// The team's adaptation to a helper whose core is taken away (simulated by a helper's shard
/// that sleeps): it stops handing that helper shards, runs alone meanwhile, and takes it back
/// once calls are quick again.
@Suite struct WorkerTeamAdaptationTests {
    /// Runs calls whose shards sleep 1 ms on the calling thread and 200 ms on a helper, until
    /// the team has dropped its helper; returns whether it did within `calls` calls.
    ///
    /// The caller's first shard waits (up to a second) until the helper has taken a shard:
    /// when the tests run side by side on a busy machine, a helper can take longer to wake
    /// than the caller takes to run every shard alone, and then no call ever lags.
    private func lagUntilDropped(_ team: WorkerTeam, calls: Int) -> Bool {
        let caller = pthread_self()
        for _ in 0..<calls {
            let helperStarted = Atomic<Bool>(false)
            _ = team.run(8) { _ in
                if pthread_equal(pthread_self(), caller) == 0 {
                    helperStarted.store(true, ordering: .sequentiallyConsistent)
                    usleep(200_000)
                    return
                }
                let deadline = DispatchTime.now().uptimeNanoseconds + 1_000_000_000
                while !helperStarted.load(ordering: .sequentiallyConsistent) && DispatchTime.now().uptimeNanoseconds < deadline {
                    usleep(50)
                }
                usleep(1_000)
            }
            if team.activeHelperCount == 0 { return true }
        }
        return false
    }

    @Test func aHelperThatStandsStillStopsTakingShards() {
        let team = WorkerTeam(helpers: 1)
        defer { team.stop() }
        #expect(team.activeHelperCount == 1)
        #expect(lagUntilDropped(team, calls: 20), "the team kept waiting for a helper that took 200 ms per shard")
        // Alone now: the team declines calls, and the caller runs the shards (WorkerPool's fallback).
        for _ in 0..<5 {
            #expect(team.run(4) { _ in } == false)
        }
    }

    @Test func theHelperComesBackWhenCallsAreQuickAgain() {
        let team = WorkerTeam(helpers: 1)
        defer { team.stop() }
        #expect(lagUntilDropped(team, calls: 20))
        // After one drop the team probes again within 2 x minProbe quiet calls.
        var back = false
        for _ in 0..<(4 * WorkerTeam.minProbe) where !back {
            _ = team.run(4) { _ in }
            back = team.activeHelperCount == 1
        }
        #expect(back, "the helper was not taken back after quiet calls")
    }

    @Test func poolResultsAreTheSameWhileAHelperLags() throws {
        let pool = try WorkerPool(workers: 2)
        let caller = pthread_self()
        let plan = ShardPlan(count: 10_000, shardCount: 8)
        func sum() -> Double? {
            pool.mapReduce(plan, map: { _, range in
                if pthread_equal(pthread_self(), caller) == 0 { usleep(20_000) }
                return range.reduce(0.0) { $0 + 1 / Double($1 + 1) }
            }, combine: +)
        }
        let first = sum()
        for _ in 0..<5 { #expect(sum() == first) }
        let serial = try WorkerPool(workers: 1).mapReduce(plan, map: { _, range in range.reduce(0.0) { $0 + 1 / Double($1 + 1) } },
                                                          combine: +)
        #expect(first == serial)
    }
}
