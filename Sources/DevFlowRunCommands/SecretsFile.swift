import Foundation

/// Secret values from a file: `NAME=VALUE` lines (blank lines and `#` comments ignored, one pair of surrounding
/// quotes removed). Only names the pipeline declares are taken; they override the environment.
public enum SecretsFile {
    /// Why a secrets file cannot be used.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        /// What is wrong, with the line.
        public var description: String
    }

    /// Reads `path` and returns the declared secrets it sets.
    public static func read(_ path: String, relativeTo directory: String, declared: [String]) -> Result<
        [String: String], Problem
    > {
        let absolute = path.hasPrefix("/") ? path : "\(directory)/\(path)"
        guard let data = FileManager.default.contents(atPath: absolute) else {
            return .failure(Problem(description: "cannot read the secrets file '\(path)'"))
        }
        var values: [String: String] = [:]
        for (number, raw) in String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "="), equals != line.startIndex else {
                return .failure(Problem(description: "\(path):\(number + 1): expected NAME=VALUE"))
            }
            let name = String(line[..<equals]).trimmingCharacters(in: .whitespaces)
            var value = String(line[line.index(after: equals)...])
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            if declared.contains(name) { values[name] = value }
        }
        return .success(values)
    }
}
