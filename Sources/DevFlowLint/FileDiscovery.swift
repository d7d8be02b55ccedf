import Foundation

/// Finds pipeline files: the default locations, or everything under the paths given.
public enum FileDiscovery {
    /// A path that does not exist or cannot be read.
    public struct Missing: Error, Sendable, CustomStringConvertible {
        /// The path as given.
        public var path: String
        /// What went wrong.
        public var description: String { "no such file or directory: '\(path)'" }
    }

    /// `.devflow.yml` (or `.yaml`) and `.devflow/*.yml` under `directory`, relative to it.
    public static func defaults(in directory: String) -> [String] {
        let manager = FileManager.default
        var found: [String] = []
        for name in [".devflow.yml", ".devflow.yaml"] where manager.fileExists(atPath: "\(directory)/\(name)") {
            found.append(name)
        }
        if let entries = try? manager.contentsOfDirectory(atPath: "\(directory)/.devflow") {
            found += entries.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map { ".devflow/\($0)" }
        }
        return found
    }

    /// Expands directories to the YAML files below them (sorted); files are kept as given; `-` is stdin.
    public static func expand(_ paths: [String], relativeTo directory: String) throws(Missing) -> [String] {
        var result: [String] = []
        let manager = FileManager.default
        for path in paths {
            if path == "-" {
                result.append(path)
                continue
            }
            let absolute = path.hasPrefix("/") ? path : "\(directory)/\(path)"
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: absolute, isDirectory: &isDirectory) else { throw Missing(path: path) }
            if !isDirectory.boolValue {
                result.append(path)
                continue
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            var files: [String] = []
            if let enumerator = manager.enumerator(atPath: absolute) {
                while let entry = enumerator.nextObject() as? String {
                    if entry.hasSuffix(".yml") || entry.hasSuffix(".yaml") { files.append("\(base)/\(entry)") }
                }
            }
            result += files.sorted()
        }
        return result
    }
}
