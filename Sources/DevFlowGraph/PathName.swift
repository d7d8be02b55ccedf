/// Slash-separated path names handled as text, byte by byte, with no file system and no Foundation.
///
/// Foundation's `NSString` path methods crash on some inputs on Linux (a one-character first component such as
/// `a/bc.c` traps in `deletingLastPathComponent`), resolve `~` and collapse `..`; agents, the runner and the store
/// handle workspace-relative names from git and from users, so they use these instead.
///
/// ```swift
/// PathName.parent(of: "a/bc.c")        // "a"
/// PathName.parent(of: "bc.c")          // ""
/// PathName.lastComponent(of: "a/b/")   // "b"
/// PathName.extension(of: "x/.bashrc")  // ""
/// PathName.deletingExtension("a/b.tar.gz")  // "a/b.tar"
/// ```
public enum PathName {
    /// The directory part of `path` without its trailing slash: `""` for a name without a slash, `"/"` for a
    /// name directly under the root. Trailing slashes of `path` are ignored.
    public static func parent(of path: String) -> String {
        let bytes = trimmedTrailingSlashes(path)
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        var end = slash
        while end > bytes.startIndex, bytes[bytes.index(before: end)] == UInt8(ascii: "/") {
            end = bytes.index(before: end)
        }
        if end == bytes.startIndex { return "/" }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// The last component of `path` (`"bc.c"` of `"a/bc.c"`); trailing slashes are ignored.
    public static func lastComponent(of path: String) -> String {
        let bytes = trimmedTrailingSlashes(path)
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes[bytes.index(after: slash)...], as: UTF8.self)
    }

    /// The extension of the last component without its dot (`"c"` of `"a/bc.c"`); `""` when it has none or when
    /// the only dot starts the name (`.bashrc`).
    public static func `extension`(of path: String) -> String {
        let name = Array(lastComponent(of: path).utf8)
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > 0 else { return "" }
        return String(decoding: name[(dot + 1)...], as: UTF8.self)
    }

    /// `path` without the extension of its last component (`"a/b.tar"` of `"a/b.tar.gz"`).
    public static func deletingExtension(_ path: String) -> String {
        let suffix = `extension`(of: path)
        let trimmed = trimmedTrailingSlashes(path)
        guard !suffix.isEmpty else { return String(decoding: trimmed, as: UTF8.self) }
        return String(decoding: trimmed.dropLast(suffix.utf8.count + 1), as: UTF8.self)
    }

    /// `base` and `component` joined by one slash; either may be empty.
    public static func join(_ base: String, _ component: String) -> String {
        if base.isEmpty { return component }
        if component.isEmpty { return base }
        if base.utf8.last == UInt8(ascii: "/") { return base + component }
        return base + "/" + component
    }

    /// The components of `path` between slashes, empty ones left out.
    public static func components(of path: String) -> [String] {
        path.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `path` with `.` and `..` components resolved textually (`/a/./b/../c` → `/a/c`; symbolic links are not
    /// followed) and repeated slashes collapsed; a leading `/` is kept.
    public static func normalize(_ path: String) -> String {
        var parts: [String] = []
        for part in components(of: path) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !path.hasPrefix("/") {
                    parts.append(part)
                }
                continue
            }
            parts.append(part)
        }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }

    private static func trimmedTrailingSlashes(_ path: String) -> ArraySlice<UInt8> {
        var bytes = ArraySlice(path.utf8)
        while bytes.count > 1, bytes.last == UInt8(ascii: "/") { bytes = bytes.dropLast() }
        return bytes
    }
}
