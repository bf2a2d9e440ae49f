import DataParallel

extension SavedModel {
    /// The test rows of the run that `config` describes, as its training held them out: the
    /// config's test file, or the same stratified, seeded `data.test_fraction` of the training
    /// data (the split depends only on the labels, the fraction and `training.seed`), with the
    /// labels encoded against this model's classes and the rows standardised with its scaler.
    /// So `evaluate --config` scores a model on data it never trained on.
    ///
    /// Errors: the config's data does not fit the model (columns, classes), or it holds out no
    /// test rows (no test file and `data.test_fraction` 0).
    public func heldOutTestSet(of config: Config, pool: WorkerPool) throws(LearningError) -> ScoringData {
        func noTestRows() -> LearningError {
            .config(file: config.file, key: "data.test_fraction",
                    message: "is 0 and there is no data.test file: the config holds out no test rows to evaluate on")
        }
        if config.data.isSparse {
            let prepared = try Prepared.prepare(try LoadedData<SparseDataset>.read(config, initial: self), config: config, initial: self)
            guard let test = prepared.test, test.count > 0 else { throw noTestRows() }
            return .sparse(test)
        }
        let prepared = try Prepared.prepare(try LoadedData<Dataset>.read(config, pool: pool, initial: self), config: config, initial: self)
        guard let test = prepared.test, test.count > 0 else { throw noTestRows() }
        return .dense(test)
    }

    /// The folder a config's run writes to (`output.dir`, else runs/<config name>).
    public static func defaultModelPath(of config: Config) -> String {
        RunFolder.outputFolder(config) + "/model.json"
    }
}
