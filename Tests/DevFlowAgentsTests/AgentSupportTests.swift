import DevFlowAgents
import DevFlowGraph
import DevFlowTestSupport
import Foundation
import Testing

@testable import DevFlowAgents

/// Unified diffs, `.editorconfig` globs, and files no agent should choke on.
@Suite("agent support")
struct AgentSupportTests {
    @Test("a diff made from two line arrays applies back, and reads back from its text")
    func diffRoundTrip() throws {
        let old = (1...30).map { "line \($0)" }
        var new = old
        new[2] = "changed 3"
        new.insert("inserted", at: 10)
        new.remove(at: 25)
        let hunks = UnifiedDiff.hunks(old: old, new: new)
        #expect(hunks.count == 3)
        #expect(try UnifiedDiff.apply(hunks, to: old) == new)
        let text = UnifiedDiff.patch(path: "f.txt", old: old, new: new)
        let parsed = try UnifiedDiff.parse(text)
        #expect(parsed.count == 1 && parsed[0].oldPath == "f.txt" && parsed[0].hunks == hunks)
        #expect(hunks[0].text.hasPrefix("@@ -1,6 +1,6 @@\n line 1\n line 2\n-line 3\n+changed 3\n"))
        #expect(UnifiedDiff.hunks(old: old, new: old).isEmpty)
        // A new file, and a patch that no longer matches.
        #expect(
            UnifiedDiff.patch(path: "n.txt", old: nil, new: ["a"]) == "--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+a\n")
        #expect(throws: UnifiedDiff.PatchError.self) { try UnifiedDiff.apply(hunks, to: ["other"]) }
        #expect(throws: UnifiedDiff.PatchError.self) { try UnifiedDiff.parse("@@ -1 +1 @@\n-a\n+b\n") }
    }

    @Test("context-free hunks point at the lines they touch; insertions at the line before")
    func touchedLines() {
        let hunks = UnifiedDiff.hunks(old: ["a", "b", "c"], new: ["a", "B", "c", "d"], context: 0)
        #expect(hunks.map(\.touchedOldLines) == [2...2, 3...3])
    }

    @Test(
        "EditorConfig globs",
        arguments: [
            ("*", "a/b/c.swift", true), ("*.{js,ts}", "src/x.ts", true), ("*.{js,ts}", "src/x.go", false),
            ("lib/**.js", "lib/a/b.js", true), ("lib/*.js", "lib/a/b.js", false), ("/lib/*.js", "lib/b.js", true),
            ("Makefile", "sub/Makefile", true), ("file{1..3}.txt", "file2.txt", true),
            ("file{1..3}.txt", "file4.txt", false), ("[!a]*.md", "b.md", true), ("[!a]*.md", "a.md", false),
            ("?.c", "x.c", true), ("?.c", "xy.c", false),
        ])
    func globs(pattern: String, path: String, matches: Bool) {
        #expect(EditorConfigGlob(pattern).matches(path) == matches)
    }

    @Test("nearer .editorconfig files and later sections win; root = true stops the walk; unset clears")
    func precedence() throws {
        let fixture = try GitFixture(initialize: false)
        try fixture.write(".editorconfig", "root = true\n[*]\nindent_size = 2\nmax_line_length = 100\n")
        try fixture.write("sub/.editorconfig", "[*.py]\nindent_size = 4\n[*]\nmax_line_length = unset\n")
        try fixture.write("vendor/.editorconfig", "root = true\n[*]\nindent_style = tab\n")
        var config = EditorConfig(workspace: fixture.path)
        #expect(config.properties(for: "a.py").indentSize == 2)
        #expect(config.properties(for: "sub/a.py").indentSize == 4)
        #expect(config.properties(for: "sub/a.py").maxLineLength == nil)
        #expect(config.properties(for: "a.py").maxLineLength == 100)
        #expect(config.properties(for: "vendor/x.c") == EditorConfig.Properties(indentStyle: "tab"))
    }

    @Test("CRLF, a missing BOM and invalid UTF-8 are reported; other line endings are fixed")
    func lineEndingsAndCharset() throws {
        let fixture = try GitFixture(initialize: false)
        try fixture.write(".editorconfig", "[*]\nend_of_line = lf\ncharset = utf-8\n[*.cs]\ncharset = utf-8-bom\n")
        try fixture.write("a.txt", Data("one\r\ntwo\n".utf8))
        try fixture.write("b.txt", Data([0x61, 0xFF, 0x0A]))
        try fixture.write("c.cs", "class C {}\n")
        let request = AgentRequest(
            inputs: ["scope": .string("all"), "fix": .bool(true)], workspace: fixture.path,
            changes: { AgentScope(files: [], skipped: []) })
        let result = try BuiltInAgents.run("style-enforcer", request: request)
        #expect(summary(result.findings) == ["a.txt:1 end-of-line", "b.txt:1 charset", "c.cs:1 charset"])
        #expect(try String(contentsOfFile: "\(fixture.path)/a.txt", encoding: .utf8) == "one\ntwo\n")
    }

    @Test("a 100 MB file, a binary file and a non-UTF-8 path are skipped with a note, not a crash")
    func hostileFiles() throws {
        let fixture = try GitFixture()
        try fixture.write("README.md", "# x\n")
        try fixture.commit("start")
        let huge = fixture.root.appendingPathComponent("huge.log")
        _ = FileManager.default.createFile(atPath: huge.path, contents: nil)
        let handle = try FileHandle(forWritingTo: huge)
        let chunk = Data(repeating: 0x61, count: 1 << 20)
        for _ in 0..<100 { handle.write(chunk) }
        try handle.close()
        try fixture.write("image.png", Data([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 1, 2, 3]))
        let badName = fixture.path + "/" + String(decoding: [0x6E, 0x61, 0x6D, 0x65], as: UTF8.self)
        _ = FileManager.default.createFile(atPath: badName, contents: Data("x\n".utf8))
        let rawPath = Array((fixture.path + "/caf").utf8) + [0xE9, 0x2E, 0x74, 0x78, 0x74, 0]
        let descriptor = rawPath.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                open($0, O_CREAT | O_WRONLY, 0o644)
            }
        }
        #expect(descriptor >= 0)
        _ = write(descriptor, "AKIA\n", 5)
        close(descriptor)
        try fixture.git(["add", "-A"])
        try fixture.git(["commit", "-q", "-m", "hostile files"])
        let workspace = fixture.path
        for agent in ["security-guardian", "style-enforcer", "doc-updater", "test-generator"] {
            let request = AgentRequest(
                inputs: [:], workspace: workspace,
                changes: { try AgentScope.changes(in: workspace, comparison: .push(before: "", after: "HEAD")) })
            let result = try BuiltInAgents.run(agent, request: request)
            #expect(result.status == "success", "\(agent): \(result.summary)")
            #expect(result.summary.contains("huge.log"), "\(agent): \(result.summary)")
            #expect(result.summary.contains("not valid UTF-8"), "\(agent): \(result.summary)")
        }
        let all = AgentScope.all(in: workspace)
        #expect(all.skipped.contains { $0.hasPrefix("huge.log: 104857600 bytes") })
        #expect(all.skipped.contains("image.png: binary"))
    }
}

/// `scope: all` in a git repository: the tracked files, not ignored or untracked ones.
@Suite struct WorkspaceFilesTests {
    @Test func trackedFilesOnlyInARepositoryEverythingElsewhere() throws {
        let fixture = try GitFixture()
        try fixture.write(".gitignore", "build/\n")
        try fixture.write("src/a.swift", "let a = 1\n")
        try fixture.write("build/out.md", "# generated\n")
        try fixture.commit("start")
        try fixture.write("scratch.md", "# not added\n")
        try fixture.write("staged.md", "# added\n")
        try fixture.git(["add", "staged.md"])
        var skipped: [String] = []
        #expect(WorkspaceFiles.list(fixture.path, skipped: &skipped) == [".gitignore", "src/a.swift", "staged.md"])
        #expect(WorkspaceFiles.list(fixture.path + "/src", skipped: &skipped) == ["a.swift"])
        // A directory git tracks nothing under is walked.
        #expect(WorkspaceFiles.list(fixture.path + "/build", skipped: &skipped) == ["out.md"])
        #expect(skipped.isEmpty)
    }
}

/// Paths whose first component is one character crashed Foundation's path methods under `.editorconfig`
/// resolution (SIGILL in `deletingLastPathComponent`); every built-in agent now sees them as plain names.
@Suite struct ShortPathNameTests {
    @Test("style-enforcer, scope: all, on one-character names at the root and deeper")
    func oneCharacterNames() throws {
        let fixture = try GitFixture()
        try fixture.write(".editorconfig", "root = true\n[*]\ntrim_trailing_whitespace = true\n")
        try fixture.write("R/.editorconfig", "[*.c]\nindent_style = tab\n")
        for name in ["a/bc.c", "x", "R/s/t.c", "c/d/e", "R/y.c", "é/ü.c"] {
            try fixture.write(name, "int x;  \n")
        }
        try fixture.commit("short names")
        let request = AgentRequest(
            inputs: ["scope": .string("all")], workspace: fixture.path, changes: { AgentScope(files: [], skipped: []) })
        let result = try BuiltInAgents.run("style-enforcer", request: request)
        #expect(
            summary(result.findings) == [
                "R/s/t.c:1 trailing-whitespace", "R/y.c:1 trailing-whitespace", "a/bc.c:1 trailing-whitespace",
                "c/d/e:1 trailing-whitespace", "x:1 trailing-whitespace", "é/ü.c:1 trailing-whitespace",
            ])
        var config = EditorConfig(workspace: fixture.path)
        #expect(config.properties(for: "R/s/t.c").indentStyle == "tab")
        #expect(config.properties(for: "a/bc.c").indentStyle == nil)
    }

    @Test("every agent with scope: all survives one-character names")
    func everyAgent() throws {
        let fixture = try GitFixture()
        for name in ["a/bc.c", "x", "R/s/t.go", "c/d.py", "t/u.swift"] { try fixture.write(name, "x = 1\n") }
        try fixture.commit("short names")
        for agent in ["security-guardian", "style-enforcer", "doc-updater", "test-generator"] {
            let request = AgentRequest(
                inputs: ["scope": .string("all")], workspace: fixture.path,
                changes: { AgentScope(files: [], skipped: []) })
            #expect(throws: Never.self, "\(agent)") { try BuiltInAgents.run(agent, request: request) }
        }
    }
}
