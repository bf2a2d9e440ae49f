/// The folder part of `path`: everything before its last "/", "/" for a name directly under
/// the root, and nil for a bare name (no "/").
///
/// Cut by hand: NSString's `deletingLastPathComponent` traps on a one-character path such as
/// "c" in this Foundation (`train --config c` crashed with it).
func folderPart(of path: String) -> String? {
    guard let slash = path.lastIndex(of: "/") else { return nil }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}
