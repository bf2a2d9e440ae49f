/// The one rule for how long an error line may be. Messages quote what the user gave (a
/// header, a config value, a flag), which can be megabytes: a line longer than ``limit``
/// characters keeps its start (the file, line or key and what went wrong) and its end (the
/// advice), with the middle replaced by a note of how much was left out.
public enum ErrorText {
    /// The most characters an error line keeps.
    /// Long enough for a message that names every bad column of a table at once.
    public static let limit = 4000
    static let head = 3000, tail = 800

    /// `line` cut to at most about ``limit`` characters (see above); shorter lines unchanged.
    public static func readable(_ line: String) -> String {
        guard line.count > limit else { return line }
        let left = line.count - head - tail
        return String(line.prefix(head)) + " [... \(left) characters left out ...] " + String(line.suffix(tail))
    }
}
