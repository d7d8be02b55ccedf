import DevFlowDiagnostics
import DevFlowLint
import DevFlowTestSupport
import Foundation
import Testing

/// `devflow-lint --fix`: each rule's fix-it as a golden unified diff (safe fixes, then with `--unsafe-fixes`), the
/// file rewritten atomically and linted again, conflicting fixes skipped and reported.
@Suite struct FixTests {
    static let fixtures = Repository.path("Tests/DevFlowLintTests/Fixtures/fix")
    static let names = [
        "duration", "no-final-newline", "output-from-non-ancestor", "quoted-boolean", "quoted-integer",
        "template-injection", "unknown-key", "unknown-need", "yaml11-boolean",
    ]

    static func copy(_ name: String) throws -> String {
        let directory = try LintSessionTests.workspace([:])
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(fixtures)/\(name).yml", toPath: "\(directory)/\(name).yml")
        return directory
    }

    static func session(_ directory: String, _ name: String, mode: LintSession.FixMode, unsafe: Bool = false)
        -> LintSession
    {
        var session = LintSessionTests.session(directory, paths: ["\(name).yml"], format: .text)
        session.fixMode = mode
        session.unsafeFixes = unsafe
        return session
    }

    @Test(arguments: names) func eachFixIsGolden(_ name: String) throws {
        let directory = try Self.copy(name)
        let safe = Self.session(directory, name, mode: .diff).run()
        let unsafe = Self.session(directory, name, mode: .diff, unsafe: true).run()
        let golden =
            "# devflow-lint --fix --diff\n\(safe.output)\(safe.errors)"
            + "# devflow-lint --fix --unsafe-fixes --diff\n\(unsafe.output)\(unsafe.errors)"
        if let mismatch = Golden.mismatch(
            golden, path: Repository.path("Tests/DevFlowLintTests/Snapshots/fix/\(name).txt"))
        {
            Issue.record("\(mismatch)")
        }
        // --diff changes nothing; --fix writes what the diff says, and the fixed problems are gone.
        let original = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).yml"))
        #expect(original == (try Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/\(name).yml"))))
        let problems = LintSessionTests.session(directory, paths: ["\(name).yml"], format: .text).run().output
        let fixed = Self.session(directory, name, mode: .write, unsafe: true).run()
        let after = try String(contentsOfFile: "\(directory)/\(name).yml", encoding: .utf8)
        #expect(fixed.output == LintSessionTests.session(directory, paths: ["\(name).yml"], format: .text).run().output)
        if !unsafe.output.isEmpty {
            #expect(after != String(decoding: original, as: UTF8.self))
            #expect(fixed.output != problems, "nothing was fixed: \(fixed.output)")
            // The same change as the system's diff -u (and patch) would make.
            let system = Repository.run(
                "/usr/bin/diff",
                [
                    "-u", "--label", "a/\(name).yml", "--label", "b/\(name).yml",
                    "\(Self.fixtures)/\(name).yml", "\(directory)/\(name).yml",
                ], directory: directory)
            #expect(system.output == unsafe.output)
        }
    }

    @Test func aFileWithNothingToFixIsNotWrittenAndPermissionsAreKept() throws {
        let directory = try LintSessionTests.workspace([
            "clean.yml": LintSessionTests.clean,
            "broken.yml": try String(
                contentsOfFile: "\(Self.fixtures)/quoted-boolean.yml", encoding: .utf8),
        ])
        chmod("\(directory)/broken.yml", 0o640)
        let inode = try FileManager.default.attributesOfItem(atPath: "\(directory)/clean.yml")[.systemFileNumber]
        var session = LintSessionTests.session(directory, paths: ["clean.yml", "broken.yml"], format: .text)
        session.fixMode = .write
        let outcome = session.run()
        #expect(outcome.exitCode == .clean)
        #expect(outcome.errors == "devflow-lint: fixed 1 problem in 1 file\n")
        #expect(
            try FileManager.default.attributesOfItem(atPath: "\(directory)/clean.yml")[.systemFileNumber] as? NSNumber
                == inode as? NSNumber)
        let mode = try FileManager.default.attributesOfItem(atPath: "\(directory)/broken.yml")[.posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o640)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains("devflow-fix") }
        #expect(left.isEmpty)
    }

    @Test func conflictingFixesAreSkippedAndIdenticalOnesCountOnce() {
        let source = SourceFile(path: "x.yml", text: "abcdef\n")
        func edit(_ start: Int, _ end: Int, _ text: String) -> TextEdit {
            TextEdit(
                span: SourceSpan(
                    file: "x.yml", start: SourcePosition(line: 1, column: start + 1, offset: start),
                    end: SourcePosition(line: 1, column: end + 1, offset: end)), replacement: text)
        }
        let first = FixIt("replace bc", edits: [edit(1, 3, "BC")])
        let overlapping = FixIt("replace cd", edits: [edit(2, 4, "CD")])
        let again = FixIt("replace bc again", edits: [edit(1, 3, "BC")])
        let later = FixIt("insert at the end", edits: [edit(6, 6, "!")])
        let result = FixApplier.apply([overlapping, first, again, later], to: source.bytes)
        #expect(String(decoding: result.bytes, as: UTF8.self) == "aBCdef!\n")
        #expect(result.applied.map(\.message) == ["replace bc", "insert at the end"])
        #expect(result.skipped == [FixApplier.Skipped(fixIt: overlapping, conflictsWith: first)])
    }

    @Test func standardInputIsFixedOnlyAsADiffAndDiffNeedsFix() {
        var session = LintSessionTests.session("/tmp", paths: ["-"], format: .text, stdin: "version: 1\n")
        session.fixMode = .write
        let outcome = session.run()
        #expect(outcome.exitCode == .usage)
        #expect(outcome.errors.contains("standard input cannot be fixed in place; use --fix --diff"))
        let values = LintOptionValues(
            paths: [], format: "text", config: nil, failOn: nil, noShellcheck: true, color: "never", explain: nil,
            listRules: false)
        var diffOnly = values
        diffOnly.diff = true
        #expect(diffOnly.execute(isTerminal: false).errors == "devflow-lint: --diff only goes with --fix\n")
    }
}
