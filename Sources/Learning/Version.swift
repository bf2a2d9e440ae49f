/// The release of minibatch this source is: `minibatch --version`, the producer version of
/// an exported ONNX file. Releases are tagged in git with the same number.
public enum MinibatchVersion {
    public static let current = "0.1.0"
}
