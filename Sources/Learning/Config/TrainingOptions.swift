/// `training` section. Names follow scikit-learn's SGDClassifier where one exists.
public struct TrainingOptions: Sendable, Equatable {
    public var batchSize = 32
    /// The most epochs (scikit-learn's max_iter).
    public var epochs = 1000
    public var learningRate = LearningRateKind.optimal
    public var eta0 = 0.01
    public var powerT = 0.5
    public var penalty = Penalty.l2
    public var alpha = 0.0001
    /// The l1 share of an elasticnet penalty, in [0, 1].
    public var l1Ratio = 0.15
    /// Stop when the epoch's objective (training loss + alpha R) has not improved by `tol` for `nIterNoChange`
    /// epochs; nil never stops early.
    public var tol: Double? = 0.001
    public var nIterNoChange = 5
    public var shuffle = true
    public var seed: UInt64 = 0
    /// The update rule (see ``OptimizerKind``) and its settings (PyTorch's defaults).
    public var optimizer = OptimizerKind.sgd
    public var momentum = 0.0
    public var nesterov = false
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
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
