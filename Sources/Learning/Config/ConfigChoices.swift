/// Which model to train. `.auto` becomes logistic for two classes and softmax otherwise;
/// `.mlp` is a neural network (``MLP``) shaped by `model.hidden` and `model.activation`.
public enum ModelType: String, Sendable, CaseIterable {
    case auto, softmax, logistic, mlp
}

/// The penalty R(W) on the weight matrices (never on biases).
public enum Penalty: String, Sendable, CaseIterable {
    /// R = 0.5 * ||W||^2, dR/dW = W.
    case l2
    /// R = ||W||_1, applied by cumulative truncation (see ``CumulativeL1``).
    case l1
    /// R = (1 - l1_ratio) * 0.5 * ||W||^2 + l1_ratio * ||W||_1.
    case elasticnet
    /// R = 0.
    case none
}

/// The learning-rate schedule, with scikit-learn SGDClassifier's names and formulas.
public enum LearningRateKind: String, Sendable, CaseIterable {
    case constant, invscaling, optimal, adaptive
}

/// The layout of a synthetic data set's classes.
public enum SyntheticShape: String, Sendable, CaseIterable {
    /// One Gaussian blob per class: linearly separable up to the noise.
    case blobs
    /// Concentric circles in the first two features: no linear model separates them.
    case rings
    /// Two classes by the signs of the first two features (XOR): no linear model separates them.
    case xor
}
