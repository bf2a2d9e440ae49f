/// `path` as a user would type it: "." components and empty ones (from "//") removed, and
/// each ".." taken out together with the folder name before it, so that the config
/// "configs/digits.json" with `"dir": "../runs/digits"` names "runs/digits", not
/// "configs/../runs/digits". A leading ".." of a relative path stays ("../data/x.csv"), and
/// ".." at the root of an absolute path is the root.
///
/// Lexical only, as Python's `os.path.normpath`: where "configs" is a symbolic link to
/// another folder, the path on disk may differ. (Foundation's `standardizingPath` leaves
/// ".." in relative paths.)
func normalizedPath(_ path: String) -> String {
    if path.isEmpty { return path }
    let absolute = path.hasPrefix("/")
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
        switch part {
        case ".": continue
        case "..":
            if let last = parts.last, last != ".." {
                parts.removeLast()
            } else if !absolute {
                parts.append(part)
            }
        default: parts.append(part)
        }
    }
    let joined = parts.joined(separator: "/")
    if absolute { return "/" + joined }
    return joined.isEmpty ? "." : joined
}
