internal import LearningKernels

// The kernel module's types under the names Learning has always used. An import reaches only
// the file that writes it, a typealias the whole module: the files that just pass these
// values along (the sparse trainer, the l1 bookkeeping, the sparse step) need no import of
// LearningKernels. (They reach the types' members without it too, as Swift 6 does while the
// upcoming feature MemberImportVisibility is off; with it on, they would import LearningKernels.)

/// Pointers to CSR rows (see ``SparseDataset/withCSRRows(_:)``).
typealias CSRRows = LearningKernels.CSRRows
/// The l1 truncation the sparse path's weights are still owed (``LazyL1/owed``).
typealias OwedL1 = LearningKernels.OwedL1
/// One shard's gradient on sparse rows: the touched features and their entries.
typealias SparseGradient = LearningKernels.SparseGradient
/// Sums shards' sparse gradients in shard order.
typealias SparseGradientSum = LearningKernels.SparseGradientSum
