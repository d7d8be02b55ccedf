import DevFlowGraph
import Foundation

/// `test-generator`: changed or new source files whose tests did not change (with `scope: all`: source files with
/// no test file at all), found through path mappings; with `fix: true`, a test skeleton naming the new public
/// functions is written where the first mapping says.
///
/// `mappings: [{source, tests, language}]` replaces the defaults (see ``TestMapping``); `exclude: [globs]` adds to
/// the files that never need tests (tests, test data, vendored, generated, entry points: see ``NotASource``). Findings: `missing-test-change` (or `missing-tests`), severity medium, on the
/// first changed line of the source file, each with the skeleton as its patch when one can be written.
enum TestGenerator {
    static func run(_ request: AgentRequest) throws -> BuiltInAgentResult {
        let failOn = try request.failOn(default: .medium)
        let fix = try request.bool("fix", default: false)
        let configured = try request.objects("mappings").enumerated().map { index, object in
            guard let source = object["source"]?.interpolated else {
                throw BuiltInAgentError("mappings[\(index)] needs a source pattern")
            }
            guard let tests = object["tests"]?.stringList else {
                throw BuiltInAgentError("mappings[\(index)] needs tests: (a pattern or a list of patterns)")
            }
            let language = object["language"]?.interpolated ?? TestMapping.language(of: source) ?? "swift"
            return try TestMapping(source: source, tests: tests, language: language)
        }
        let mappings = configured.isEmpty ? try TestMapping.defaults() : configured
        let exclude = GlobList(request.strings("exclude") ?? [])
        let scope = try request.scope()
        let changed = scope.changedPaths.filter { $0.kind != "deleted" }.map(\.path)
        var findings: [Finding] = []
        var notes = scope.skipped.map { "skipped \($0)" }
        var written = 0
        var sources = 0
        var notSources: [NotASource: Int] = [:]
        // Projects that do not name tests after sources (flask's tests/test_basic.py for app.py, zod's tests/ folders):
        // a modified (not added) source with no file matching its test patterns, in a change that changes tests of
        // its language, is not reported: which test covers it cannot be told from names.
        let changedTests = scope.isWholeWorkspace ? [] : changed.filter { NotASource.globs[.test]?.matches($0) == true }
        let added = Set(scope.changedPaths.filter { $0.kind == "added" }.map(\.path))
        var listing: [String]?
        var unnamed = 0
        for file in scope.files {
            let path = file.path
            guard !exclude.matches(path) else { continue }
            let language = TestMapping.language(of: path)
            guard
                let (mapping, values) = mappings.lazy.compactMap({ mapping -> (TestMapping, [String: String])? in
                    guard configured.isEmpty ? mapping.language == language : true else { return nil }
                    return mapping.match(path).map { (mapping, $0) }
                }).first
            else { continue }
            if let reason = NotASource.reason(for: path, head: { NotASource.head(of: request.absolute(path)) }) {
                notSources[reason, default: 0] += 1
                continue
            }
            sources += 1
            let patterns = mapping.testPatterns(values)
            let tests = GlobList(patterns)
            // With scope: all the "changed" paths are every file of the workspace, listed once.
            guard !changed.contains(where: { tests.matches($0) }) else { continue }
            if !added.contains(path),
                changedTests.contains(where: { TestMapping.language(of: $0) == mapping.language })
            {
                if listing == nil { listing = WorkspaceFiles.list(request.workspace, matching: GlobList(["**"])) }
                if listing?.contains(where: { tests.matches($0) }) == false {
                    unnamed += 1
                    continue
                }
            }
            let functions = PublicFunctions.find(in: file.lines.map(\.text), language: mapping.language)
            let line = file.lines.first?.number ?? 1
            let target = patterns.first { !$0.contains("*") }
            var message =
                scope.isWholeWorkspace
                ? "\(path) has no tests (looked for \(patterns.joined(separator: ", ")))"
                : "\(path) changed but no test matching \(patterns.first ?? "") changed"
            if !functions.isEmpty {
                message += "; new public functions: \(functions.joined(separator: ", "))"
            }
            var finding = Finding(
                rule: scope.isWholeWorkspace ? "missing-tests" : "missing-test-change", severity: .medium, file: path,
                line: line, column: 1, endLine: line, endColumn: 1, message: message)
            if let target, !FileManager.default.fileExists(atPath: request.absolute(target)) {
                let skeleton = TestSkeleton.make(
                    language: mapping.language, source: path, target: target, values: values,
                    functions: functions,
                    sourceText: try? String(contentsOfFile: request.absolute(path), encoding: .utf8))
                finding.fix = UnifiedDiff.patch(path: target, old: nil, new: skeleton)
                if fix {
                    let url = URL(fileURLWithPath: request.absolute(target))
                    try FileManager.default.createDirectory(
                        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data((skeleton.joined(separator: "\n") + "\n").utf8).write(to: url, options: .atomic)
                    notes.append("wrote \(target)")
                    written += 1
                }
            } else if fix, let target {
                notes.append("\(target) exists; add tests for \(path) there")
            }
            findings.append(finding)
        }
        if let note = NotASource.note(notSources) { notes.append(note) }
        if unnamed > 0 {
            notes.append(
                "not reported: \(files(unnamed)) whose tests are not named after them (no file matches their test patterns), modified in a change that changes \(files(changedTests.count)) of tests"
            )
        }
        return .judged(
            agent: "test-generator", findings: findings, failOn: failOn, checked: "\(files(sources)) with a mapping",
            notes: notes, outputs: ["skeletons": String(written)])
    }
}

/// The public functions declared in source lines, by language.
enum PublicFunctions {
    static let patterns: [String: NSRegularExpression] = {
        let sources = [
            "swift":
                #"^\s*(?:@[\w.()]+\s+)*(?:(?:public|open)\s+)(?:(?:static|class|final|override|mutating|nonisolated|nonmutating)\s+)*func\s+([A-Za-z_][A-Za-z0-9_]*)"#,
            "python": #"^(?:async\s+)?def\s+([A-Za-z][A-Za-z0-9_]*)\s*\("#,
            "javascript":
                #"^export\s+(?:default\s+)?(?:(?:async\s+)?function\*?\s+([A-Za-z_$][\w$]*)|const\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s*)?(?:\(|function\b|[A-Za-z_$][\w$]*\s*=>))"#,
            "go": #"^func\s+(?:\([^)]*\)\s*)?([A-Z][A-Za-z0-9_]*)\s*[\[(]"#,
        ]
        return sources.compactMapValues { try? NSRegularExpression(pattern: $0) }
    }()

    /// Names in order of appearance, without duplicates.
    static func find(in lines: [String], language: String) -> [String] {
        guard let regex = patterns[language] else { return [] }
        var names: [String] = []
        for line in lines {
            guard let match = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) else { continue }
            for group in 1..<match.numberOfRanges {
                if let range = Range(match.range(at: group), in: line) {
                    let name = String(line[range])
                    if !names.contains(name) { names.append(name) }
                    break
                }
            }
        }
        return names
    }
}
