import DevFlowGraph
import Foundation

/// Where the tests of a source file live: a source pattern with placeholders and the test patterns it maps to.
///
/// In `source`, `{dir}` matches any number of directories (with their trailing `/`, possibly none), `{ext}` one
/// extension, and any other `{name}` one path segment (shortest match). In `tests`, the placeholders are replaced
/// by what they matched and the result is a glob (`*`, `**`). The first test pattern without a glob character is
/// where `fix: true` writes a skeleton.
struct TestMapping {
    var source: String
    var tests: [String]
    var language: String
    var regex: NSRegularExpression
    var placeholders: [String]

    init(source: String, tests: [String], language: String) throws {
        self.source = source
        self.tests = tests
        self.language = language
        var pattern = "^"
        var names: [String] = []
        var rest = source[...]
        while let open = rest.firstIndex(of: "{") {
            pattern += NSRegularExpression.escapedPattern(for: String(rest[..<open]))
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw BuiltInAgentError("mapping source '\(source)' has a '{' without '}'")
            }
            let name = String(rest[rest.index(after: open)..<close])
            names.append(name)
            switch name {
            case "dir": pattern += "((?:[^/]+/)*)"
            case "ext": pattern += "([^/.]+)"
            default: pattern += "([^/]+?)"
            }
            rest = rest[rest.index(after: close)...]
        }
        pattern += NSRegularExpression.escapedPattern(for: String(rest)) + "$"
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw BuiltInAgentError("mapping source '\(source)' is not a valid pattern")
        }
        placeholders = names
    }

    /// The placeholder values when `path` is a source file of this mapping.
    func match(_ path: String) -> [String: String]? {
        guard let result = regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) else {
            return nil
        }
        var values: [String: String] = [:]
        for (index, name) in placeholders.enumerated() {
            guard let range = Range(result.range(at: index + 1), in: path) else { continue }
            values[name] = String(path[range])
        }
        return values
    }

    /// The test patterns with the placeholders filled in.
    func testPatterns(_ values: [String: String]) -> [String] {
        tests.map { pattern in
            var filled = pattern
            for (name, value) in values { filled = filled.replacingOccurrences(of: "{\(name)}", with: value) }
            return filled
        }
    }

    /// The built-in mappings: Swift packages, Python, JavaScript/TypeScript and Go.
    static func defaults() throws -> [TestMapping] {
        try [
            TestMapping(
                source: "Sources/{module}/{dir}{name}.swift",
                tests: ["Tests/{module}Tests/{dir}{name}Tests.swift", "Tests/{module}Tests/**/{name}Tests.swift"],
                language: "swift"),
            TestMapping(
                source: "{dir}{name}.py",
                tests: [
                    "tests/test_{name}.py", "tests/**/test_{name}.py", "{dir}test_{name}.py", "{dir}{name}_test.py",
                ],
                language: "python"),
            TestMapping(
                source: "{dir}{name}.{ext}",
                tests: [
                    "{dir}{name}.test.{ext}", "{dir}{name}.spec.{ext}", "{dir}__tests__/{name}.{ext}",
                    "{dir}__tests__/{name}.test.{ext}", "test/**/{name}.test.{ext}", "tests/**/{name}.test.{ext}",
                ], language: "javascript"),
            TestMapping(source: "{dir}{name}.go", tests: ["{dir}{name}_test.go", "{dir}*_test.go"], language: "go"),
        ]
    }

    /// Languages by extension, to pick the default mapping of a file.
    static func language(of path: String) -> String? {
        switch PathName.extension(of: path) {
        case "swift": "swift"
        case "py": "python"
        case "js", "jsx", "ts", "tsx", "mjs", "cjs": "javascript"
        case "go": "go"
        default: nil
        }
    }
}
