import DataParallel
import Foundation

/// Mini-batch SGD: the one training loop, for dense and sparse rows alike (the
/// representation's part is a ``StepEngine``).
///
/// Each epoch visits the rows in a permutation drawn from the run's generator (or in order
/// without `shuffle`). Each step takes the next B rows (``Batches``): the engine computes
/// their shard gradients, the step's rate comes from the schedule, and the engine combines
/// the shards and takes one regularised step. After each epoch the loop reports, scores the
/// test and validation sets, applies the stopping rule and writes checkpoints. Everything that
/// changes from step to step lives in a ``TrainingState``, so a checkpoint is a copy of it and
/// a resumed run continues bit for bit. The same options and seed give the same bits for any
/// worker count.
struct TrainingLoop {
    let options: TrainingOptions

    /// Trains the engine's model on `train`.
    /// - Parameters:
    ///   - test: scored after every epoch when given.
    ///   - validation: with `early_stopping`, scored after every epoch; its accuracy replaces the
    ///     training loss in the stopping rule, and the run returns the parameters of the epoch
    ///     with the best validation accuracy.
    ///   - resume: a state from an earlier run of the same options, model shape and data.
    ///   - control: checkpoints, interruption and progress reports.
    ///   - onEpoch: called after every epoch, in order.
    func run<Engine: StepEngine>(
        _ engine: Engine, on train: Engine.Rows, test: Engine.Rows?, validation: Engine.Rows?, resume: TrainingState?,
        control: TrainingControl, onEpoch: (EpochReport) -> Void
    ) throws(LearningError) -> TrainingRun<Engine.Trained> {
        let n = train.count
        let batches = Batches(batchSize: options.batchSize, rows: n)
        let schedule = LearningRateSchedule(options)
        let regularization = Regularization(options)
        let validating = options.earlyStopping && (validation?.count ?? 0) > 0
        let rule = StoppingRule(options, validating: validating)

        var st: TrainingState
        if let resume {
            try engine.restore(resume, rows: n, file: control.checkpointFile)
            st = resume
        } else {
            st = TrainingState(parameters: engine.parameters, seed: options.seed)
            // Averaged SGD: avg_k = avg_{k-1} + (w - avg_{k-1}) / k over the steps taken once
            // `averageAfter` samples have been seen; the averaged parameters are the model.
            if options.averageAfter != nil { st.averaged = engine.parameters }
        }
        /// The running mean of the parameters once it has taken a step.
        func averaged() -> [Float]? { st.averagedSteps > 0 ? st.averaged : nil }
        /// The state with the parts the engine keeps.
        func snapshot() -> TrainingState {
            var s = st
            engine.save(into: &s)
            return s
        }
        var stop = StopReason.maxEpochs
        let runStart = Date()
        var order = [Int32](repeating: 0, count: n)
        var orderedLabels = train.labels
        // Each row's weight (sample weight times class weight) in the epoch's order, like the
        // labels; nil when training is unweighted, so the kernels take their unweighted loops.
        let rowWeights = options.rowWeights(for: train, heldOut: options.earlyStopping ? validation : nil)
        var orderedWeights = rowWeights ?? []

        while st.epoch <= options.epochs {
            let epoch = st.epoch
            let epochStart = Date()
            // The epoch's permutation: the rows in order, shuffled by the generator as it was
            // at the epoch's start (so a resumed epoch sees the same order).
            for i in 0..<n { order[i] = Int32(i) }
            var rng = SplitMix64(seed: st.epochRandomState)
            if options.shuffle {
                rng.shuffle(&order)
                for i in 0..<n { orderedLabels[i] = train.labels[Int(order[i])] }
                if let rowWeights { for i in 0..<n { orderedWeights[i] = rowWeights[Int(order[i])] } }
            }
            var interrupted = false
            order.withUnsafeBufferPointer { rows in
                orderedLabels.withUnsafeBufferPointer { ys in
                    orderedWeights.withUnsafeBufferPointer { ws in
                        let weights = rowWeights == nil ? nil : ws.baseAddress
                        while st.position < n {
                            let first = st.position, b = batches.rows(at: first)
                            let batch = Batch(first: first, count: b, rows: rows.baseAddress! + first,
                                              labels: ys.baseAddress! + first, weights: weights.map { $0 + first },
                                              plan: Batches.plan(batchRows: b), following: n - first - b)
                            engine.accumulate(batch)
                            st.step += 1
                            st.learningRate = schedule.rate(step: st.step, divisor: st.adaptiveDivisor)
                            // Asked before the combine, so that the first process's answer
                            // travels with it and every process stops after the same step.
                            let wantsStop = first + b < n && control.shouldStop()
                            let outcome = engine.step(batch, eta: Float(st.learningRate), t: st.step, stop: wantsStop)
                            st.epochLossSum += outcome.figures.loss
                            st.epochCorrect += outcome.figures.correct
                            st.position += b
                            st.samplesSeen += b
                            if let after = options.averageAfter, st.samplesSeen >= after {
                                st.averagedSteps += 1
                                engine.average(into: &st.averaged!, k: st.averagedSteps)
                            }
                            control.onProgress?(st.progress(epochs: options.epochs, batches: batches, epochStart: epochStart))
                            if st.position < n, outcome.stop {
                                interrupted = true
                                return
                            }
                        }
                    }
                }
            }
            st.epochSeconds += Date().timeIntervalSince(epochStart)
            if interrupted {
                st.elapsed += Date().timeIntervalSince(runStart)
                return TrainingRun(model: engine.model(averaged: averaged()), epochs: st.reports, stopReason: .interrupted,
                                   steps: st.step, seconds: st.elapsed, state: snapshot())
            }
            engine.endEpoch()
            var report = try st.epochReport(rows: n, weightsAreFinite: engine.parametersAreFinite, advice: options.divergenceAdvice)
            let loss = report.loss
            if let test, test.count > 0 {
                let e = engine.evaluate(test, averaged: averaged())
                report.testLoss = e.logLoss
                report.testAccuracy = e.accuracy
            }
            if validating, let validation {
                let e = engine.evaluate(validation, averaged: averaged())
                report.validationLoss = e.logLoss
                report.validationAccuracy = e.accuracy
            }
            if regularization.hasL1 { report.zeroFraction = engine.zeroWeightFraction(averaged: averaged()) }
            onEpoch(report)
            st.startNextEpoch(after: report, randomState: rng.state)

            // The clock differs between processes: the first one's reading decides for all.
            if let budget = options.maxSeconds, epoch < options.epochs,
               engine.combiner.agree(st.elapsed + Date().timeIntervalSince(runStart) >= budget) {
                stop = .timeBudget
                break
            }
            // The stopping rule's criterion: the epoch's objective (scikit-learn adds alpha R(w)
            // as w was at each sample; here R is taken once, with the weights at the end of the
            // epoch), or with early stopping minus the validation accuracy, keeping the best
            // epoch's parameters.
            let criterion = validating
                ? -report.validationAccuracy!
                : regularization.objective(loss: loss, penaltyValue: engine.penaltyValue(averaged: averaged()))
            if validating && st.improvesOnBest(criterion) { st.bestParameters = engine.model(averaged: averaged()).parameters }
            if let reason = rule.apply(criterion: criterion, to: &st) {
                stop = reason
                break
            }
            if let every = control.checkpointEvery, epoch % every == 0, epoch < options.epochs {
                var s = snapshot()
                s.elapsed += Date().timeIntervalSince(runStart)
                try control.onCheckpoint(s)
            }
        }
        st.elapsed += Date().timeIntervalSince(runStart)
        let final = snapshot()
        var model = engine.model(averaged: averaged())
        if validating, let best = st.bestParameters { model.parameters = best }
        return TrainingRun(model: model, epochs: st.reports, stopReason: stop, steps: st.step, seconds: st.elapsed,
                           state: final)
    }
}
