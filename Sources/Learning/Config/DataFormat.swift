import Foundation

/// The format of a data file: `data.format` in a config, `--format` for `evaluate` and
/// `predict`. `.auto` decides by the file's extension.
public enum DataFormat: String, Sendable, CaseIterable {
    /// By extension: `.npy` is NumPy, `.svm`, `.libsvm` and `.svmlight` are LIBSVM text,
    /// anything else is CSV.
    case auto
    case csv
    case npy
    /// LIBSVM / svmlight text (see ``LIBSVMReader``), kept sparse.
    case libsvm

    /// The extensions (lower case, without the dot) that `.auto` reads as LIBSVM.
    public static let libsvmExtensions = ["svm", "libsvm", "svmlight"]

    /// The format of the file at `path`: this one, or for `.auto` the one its extension names.
    public func resolved(for path: String) -> DataFormat {
        guard self == .auto else { return self }
        let ext = (path as NSString).pathExtension.lowercased()
        if ext == "npy" { return .npy }
        if Self.libsvmExtensions.contains(ext) { return .libsvm }
        return .csv
    }
}
