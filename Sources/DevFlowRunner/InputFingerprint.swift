import Crypto
import DevFlowGraph
import Foundation

/// The content fingerprint of a node for up-to-date checks: its command, environment and the files its `inputs:` match.
public enum InputFingerprint {
    /// Directories never walked.
    static let skipped: Set<String> = [".git", ".build", ".devflow", "node_modules", ".swiftpm"]

    /// SHA-256 over the command, the sorted environment and every matching file's path and content.
    public static func compute(node: Node, script: String, environment: [String: String], workspace: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("command\u{0}\(script)\u{0}".utf8))
        for key in environment.keys.sorted() {
            hasher.update(data: Data("env\u{0}\(key)=\(environment[key]!)\u{0}".utf8))
        }
        let globs = GlobList(node.inputs)
        for path in files(in: workspace) where globs.matches(path) {
            hasher.update(data: Data("file\u{0}\(path)\u{0}".utf8))
            if let data = FileManager.default.contents(atPath: "\(workspace)/\(path)") {
                hasher.update(data: Data(SHA256.hash(data: data)))
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Workspace-relative paths of regular files, sorted.
    static func files(in workspace: String) -> [String] {
        var result: [String] = []
        var pending = [""]
        let manager = FileManager.default
        while let directory = pending.popLast() {
            let absolute = directory.isEmpty ? workspace : "\(workspace)/\(directory)"
            guard let entries = try? manager.contentsOfDirectory(atPath: absolute) else { continue }
            for entry in entries where !skipped.contains(entry) {
                let relative = directory.isEmpty ? entry : "\(directory)/\(entry)"
                var isDirectory: ObjCBool = false
                guard manager.fileExists(atPath: "\(workspace)/\(relative)", isDirectory: &isDirectory) else {
                    continue
                }
                if isDirectory.boolValue { pending.append(relative) } else { result.append(relative) }
            }
        }
        return result.sorted()
    }
}
