import DevFlowGraph

/// What `devflow editorconfig PATH...` prints: the pairs that apply to each path, one `key=value` line each, as
/// the reference `editorconfig` command prints them (so the official editorconfig-core-test suite can drive it).
///
/// ```text
/// $ devflow editorconfig src/main.go README.md
/// [src/main.go]
/// indent_style=tab
/// indent_size=tab
/// [README.md]
/// trim_trailing_whitespace=false
/// ```
public enum EditorConfigReport {
    /// What went wrong with the arguments, for people.
    public struct UsageError: Error, CustomStringConvertible, Sendable {
        /// The message.
        public var description: String
    }

    /// The name, as the reference command prints it for `--version`.
    public static let versionLine = "EditorConfig DevFlow Core Version \(EditorConfigVersion.current)"

    /// The text for `paths` (relative ones start at `directory`): with more than one path, each path's pairs
    /// follow a `[path]` line. The `.editorconfig` files are searched up to the file system's root.
    public static func text(
        for paths: [String], fileName: String = ".editorconfig", version: String? = nil, directory: String
    ) throws -> String {
        guard !paths.isEmpty else { throw UsageError(description: "no path given; pass the file paths to resolve") }
        guard !fileName.isEmpty, !fileName.utf8.contains(UInt8(ascii: "/")) else {
            throw UsageError(description: "-f takes a file name without '/', found '\(fileName)'")
        }
        var chosen = EditorConfigVersion.current
        if let version {
            guard let parsed = EditorConfigVersion(version) else {
                throw UsageError(description: "-b takes a version such as 0.9.0, found '\(version)'")
            }
            guard parsed <= .current else {
                throw UsageError(
                    description: "version \(parsed) is newer than the EditorConfig version this command follows "
                        + "(\(EditorConfigVersion.current))")
            }
            chosen = parsed
        }
        var config = EditorConfig(workspace: "/", fileName: fileName, version: chosen)
        var text = ""
        for path in paths {
            if paths.count > 1 { text += "[\(path)]\n" }
            let absolute = path.utf8.first == UInt8(ascii: "/") ? path : PathName.join(directory, path)
            let relative = String(decoding: absolute.utf8.drop { $0 == UInt8(ascii: "/") }, as: UTF8.self)
            for (key, value) in config.pairs(for: relative) { text += "\(key)=\(value)\n" }
        }
        return text
    }
}
