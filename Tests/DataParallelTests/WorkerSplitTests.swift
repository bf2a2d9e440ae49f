import DataParallel
import Testing

@Suite struct WorkerSplitTests {
    @Test("many small jobs run one worker each")
    func manyJobsOneWorkerEach() {
        let s = WorkerSplit(budget: 4, jobs: 45)
        #expect(s.slots == [1, 1, 1, 1])
        #expect(s.description == "4 jobs at once, 1 worker each")
    }

    @Test("a few jobs share the budget: W / J each, the remainder to the first slots")
    func fewJobsShareTheWorkers() {
        #expect(WorkerSplit(budget: 8, jobs: 2).slots == [4, 4])
        // 7 = 3 + 2 + 2
        #expect(WorkerSplit(budget: 7, jobs: 3).slots == [3, 2, 2])
        #expect(WorkerSplit(budget: 3, jobs: 2).description == "2 jobs at once with 2, 1 workers")
        #expect(WorkerSplit(budget: 16, jobs: 1).slots == [16])
    }

    @Test("no job gets more workers than it can use")
    func widestCapsTheWorkersOfAJob() {
        #expect(WorkerSplit(budget: 16, jobs: 2, widest: 3).slots == [3, 3])
        #expect(WorkerSplit(budget: 16, jobs: 2, widest: 3).workersUsed == 6)
    }

    @Test("a memory limit runs fewer jobs at once, each with more workers")
    func memoryLimitsTheJobsAtOnce() {
        #expect(WorkerSplit(budget: 8, jobs: 40, maxConcurrent: 2).slots == [4, 4])
        #expect(WorkerSplit(budget: 8, jobs: 40, maxConcurrent: 3).slots == [3, 3, 2])
    }

    @Test("edge cases: no jobs, one worker, budget = jobs")
    func edges() {
        #expect(WorkerSplit(budget: 4, jobs: 0).slots.isEmpty)
        #expect(WorkerSplit(budget: 4, jobs: 0).description == "no jobs")
        #expect(WorkerSplit(budget: 1, jobs: 10).slots == [1])
        #expect(WorkerSplit(budget: 5, jobs: 5).slots == [1, 1, 1, 1, 1])
    }

    @Test("every split uses at most the budget and runs at most the jobs", arguments: 1...9)
    func neverMoreThanTheBudget(budget: Int) {
        for jobs in 0...12 {
            for widest in [1, 2, 5, 100] {
                let s = WorkerSplit(budget: budget, jobs: jobs, widest: widest)
                #expect(s.workersUsed <= budget && s.concurrentJobs <= jobs)
                #expect(s.slots.allSatisfy { $0 >= 1 && $0 <= widest })
                if jobs > 0 { #expect(s.concurrentJobs == min(jobs, budget)) }
            }
        }
    }
}
