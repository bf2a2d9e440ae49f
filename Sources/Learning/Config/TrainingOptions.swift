/// `training` section. Names follow scikit-learn's SGDClassifier where one exists.
///
/// The values below are the defaults of a linear model trained by plain sgd. Some defaults
/// depend on what is trained (see ``defaults(for:optimizer:momentum:)``, which a config file's
/// missing keys take): an "mlp" trains with adam at a constant rate of 0.001 (scikit-learn's
/// MLPClassifier), and adam or momentum get a constant rate.
public struct TrainingOptions: Sendable, Equatable {
    public var batchSize = 32
    /// The most epochs (scikit-learn's max_iter).
    public var epochs = 1000
    /// "adaptive" with eta0 0.1 and tol 1e-4 for a linear model with plain sgd: measured against
    /// scikit-learn's LogisticRegression in docs/own-data.md, where SGDClassifier's "optimal" (its
    /// step count t counts mini-batches here, and its first rate is 1 / (alpha t0) = 10 at the
    /// default alpha) lost up to 11 points of test accuracy on noisy data.
    public var learningRate = LearningRateKind.adaptive
    public var eta0 = 0.1
    public var powerT = 0.5
    public var penalty = Penalty.l2
    public var alpha = 0.0001
    /// The l1 share of an elasticnet penalty, in [0, 1].
    public var l1Ratio = 0.15
    /// Stop when the epoch's objective (training loss + alpha R) has not improved by `tol` for `nIterNoChange`
    /// epochs; nil never stops early.
    public var tol: Double? = 0.0001
    public var nIterNoChange = 5
    public var shuffle = true
    public var seed: UInt64 = 0
    /// The update rule (see ``OptimizerKind``) and its settings (PyTorch's defaults).
    public var optimizer = OptimizerKind.sgd
    public var momentum = 0.0
    public var nesterov = false
    public var beta1 = 0.9
    public var beta2 = 0.999
    /// adam's and adagrad's epsilon (added to the root of the second moment).
    public var epsilon = 1e-8
    /// FTRL-Proximal's beta (McMahan et al. 2013): the per-coordinate rate is
    /// alpha / (beta + sqrt(n)), alpha being eta0 (see ``SparseFTRL``).
    public var ftrlBeta = 1.0
    /// A wall-clock budget: training stops at the end of the epoch during which it runs out.
    public var maxSeconds: Double?
    /// Hold out `validationFraction` of the training split (stratified, seeded), stop on the
    /// validation accuracy instead of the training loss, and keep the best model.
    public var earlyStopping = false
    public var validationFraction = 0.1
    /// Averaged SGD: nil off; n >= 1 averages the parameters after every step once at least
    /// n samples have been seen (scikit-learn's `average`; `true` in a config means 1).
    public var averageAfter: Int?
    /// Weights of the classes in the loss and its gradient; nil weighs every class 1.
    public var classWeight: ClassWeight?
    public init() {}
}

extension TrainingOptions {
    /// The defaults for training a `model` with `optimizer` (nil: the model's default one) and
    /// `momentum`, on `sparse` (LIBSVM) data or not, as a config file's missing keys take them:
    ///
    /// | trained                     | optimizer | learning_rate | eta0  | tol  | n_iter_no_change |
    /// |-----------------------------|-----------|---------------|-------|------|------------------|
    /// | linear, sgd, momentum 0     | sgd       | adaptive      | 0.1   | 1e-4 | 5                |
    /// | linear, sgd with momentum   | sgd       | constant      | 0.01  | 1e-4 | 5                |
    /// | mlp, sgd                    | sgd       | constant      | 0.01  | 1e-4 | 10               |
    /// | any model, adam             | adam      | constant      | 0.001 | 1e-4 | 5 (mlp: 10)      |
    /// | sparse data, adagrad        | adagrad   | constant      | ``sparseAdaGradRate`` | 1e-4 | 5 |
    /// | sparse data, ftrl           | ftrl      | constant      | ``sparseFTRLRate``    | 1e-4 | 5 |
    ///
    /// adagrad and ftrl also take batches of ``sparseBatchSize`` rows instead of 32.
    ///
    /// An "mlp" defaults to adam, a linear model to sgd on dense data and to adagrad on sparse
    /// data (docs/sparse.md has the measurements behind it); the mlp's adam at 0.001, tol 1e-4
    /// and 10 epochs without change are scikit-learn MLPClassifier's defaults. Every other key
    /// keeps the value of ``init()``.
    public static func defaults(for model: ModelType, optimizer: OptimizerKind? = nil, momentum: Double = 0,
                                sparse: Bool = false) -> TrainingOptions
    {
        var o = TrainingOptions()
        o.optimizer = optimizer ?? (model == .mlp ? .adam : sparse ? sparseOptimizer : .sgd)
        if model == .mlp { o.nIterNoChange = 10 }
        switch o.optimizer {
        case .adam:
            o.learningRate = .constant
            o.eta0 = 0.001
        case .sgd where model == .mlp || momentum > 0:
            o.learningRate = .constant
            o.eta0 = 0.01
        case .sgd:
            break
        case .adagrad:
            o.learningRate = .constant
            o.eta0 = sparseAdaGradRate
            o.batchSize = sparseBatchSize
        case .ftrl:
            o.learningRate = .constant
            o.eta0 = sparseFTRLRate
            o.batchSize = sparseBatchSize
        }
        return o
    }

    /// The optimizer of a linear model on sparse data when the config names none.
    public static let sparseOptimizer = OptimizerKind.adagrad
    /// adagrad's default eta0.
    public static let sparseAdaGradRate = 0.03
    /// ftrl's default eta0 (its alpha).
    public static let sparseFTRLRate = 1.0
    /// adagrad's and ftrl's default batch size. A batch of b rows has b / 32 shards (at most
    /// 16), so a batch of 32 is one shard and its gradient runs on one worker; 256 rows give 8
    /// shards for the workers, and a quarter as many steps, each with its fixed costs. On S1
    /// (docs/sparse.md) batches of 256 reached the same test accuracy per epoch as 32 or better,
    /// at 4.5 s per epoch on 2 workers against 6.7 to 8.3 s for 32.
    public static let sparseBatchSize = 256
}
