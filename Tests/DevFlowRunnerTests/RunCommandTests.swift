import DevFlowStore
import DevFlowTestSupport
import Foundation
import Testing

/// The debug build of `devflow`.
let builtDevflow = Repository.path(".build/debug/devflow")

/// Whether the suites that run `devflow` can: it is built, or this is CI (where a missing build must fail).
let devflowIsBuilt =
    FileManager.default.isExecutableFile(atPath: builtDevflow) || ProcessInfo.processInfo.environment["CI"] != nil

/// `devflow run` as a real process: timeouts, Ctrl-C, kill -9 and resume, and a breaker shared by two processes.
@Suite(
    .serialized,
    .enabled(if: devflowIsBuilt))
struct RunCommandTests {
    static func workspace(_ pipeline: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "devflow-run-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try pipeline.write(toFile: "\(directory)/.devflow.yml", atomically: true, encoding: .utf8)
        return directory
    }

    static let header = "version: 1\nname: t\non: {manual: {}}\ndefaults: {shell: sh -eu}\n"

    static func start(_ arguments: [String], in directory: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: builtDevflow)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitFor(_ path: String, seconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: path) { return true }
            usleep(20_000)
        }
        return false
    }

    static func alive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    @Test func aTimeoutKillsTheStepAndIsRecorded() throws {
        let directory = try Self.workspace(Self.header + "steps:\n  slow: {run: sleep 30, timeout: 500ms}\n")
        let started = Date()
        let result = Repository.run(builtDevflow, ["run", "--db", "\(directory)/db.sqlite"], directory: directory)
        #expect(result.status == 1)
        #expect(Date().timeIntervalSince(started) < 10)
        let store = try SQLiteRunStore(path: "\(directory)/db.sqlite")
        let attempt = try #require(try store.attempts(run: 1).first)
        #expect(attempt.status == .timedOut)
        #expect(attempt.signal == SIGTERM)
        #expect(try store.nodes(run: 1).first?.status == .failed)
    }

    @Test func ctrlCCancelsTheRunAndKillsTheProcessGroup() throws {
        let directory = try Self.workspace(
            Self.header + "steps:\n  wait: {run: 'echo $$ > started; sleep 30 & echo $! > child; wait'}\n")
        let process = try Self.start(["run", "--db", "\(directory)/db.sqlite"], in: directory)
        #expect(Self.waitFor("\(directory)/child"))
        usleep(100_000)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let child =
            Int32(
                (try String(contentsOfFile: "\(directory)/child", encoding: .utf8)).trimmingCharacters(
                    in: .whitespacesAndNewlines)) ?? 0
        var gone = false
        for _ in 0..<100 where !gone {
            gone = !Self.alive(child)
            usleep(20_000)
        }
        #expect(gone, "the step's background child survived")
        let store = try SQLiteRunStore(path: "\(directory)/db.sqlite")
        #expect(try store.run(1)?.status == .cancelled)
        #expect(try store.nodes(run: 1).first?.status == .cancelled)
    }

    @Test func killDashNineThenResumeCompletesWithoutRerunningSuccesses() throws {
        let pipeline =
            Self.header + """
                steps:
                  first: {run: 'echo ran >> first.count; echo "value=42" >> "$DEVFLOW_OUTPUT"', outputs: [value]}
                  second:
                    needs: [first]
                    env: {VALUE: "${{ steps.first.outputs.value }}"}
                    run: |
                      if [ ! -e resume-now ]; then echo $$ > second.pid; exec sleep 60; fi
                      echo "second got $VALUE" > second.done
                """
        let directory = try Self.workspace(pipeline)
        let database = "\(directory)/db.sqlite"
        let process = try Self.start(["run", "--db", database], in: directory)
        #expect(Self.waitFor("\(directory)/second.pid"))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // The step's process group outlives the runner; stop it as an operator would.
        if let pid = Int32(
            (try? String(contentsOfFile: "\(directory)/second.pid", encoding: .utf8))?.trimmingCharacters(
                in: .whitespacesAndNewlines) ?? "")
        {
            kill(-pid, SIGKILL)
        }
        FileManager.default.createFile(atPath: "\(directory)/resume-now", contents: Data())
        let resumed = Repository.run(builtDevflow, ["run", "--db", database, "--resume", "1"], directory: directory)
        #expect(resumed.status == 0, "\(resumed.output)")
        let store = try SQLiteRunStore(path: database)
        #expect(try store.run(1)?.status == .interrupted)
        #expect(try store.run(2)?.status == .succeeded)
        #expect(try store.run(2)?.resumedFrom == 1)
        let nodes = Dictionary(uniqueKeysWithValues: try store.nodes(run: 2).map { ($0.nodeId, $0.status) })
        #expect(nodes == ["first": .reused, "second": .succeeded])
        #expect(try String(contentsOfFile: "\(directory)/first.count", encoding: .utf8) == "ran\n")
        #expect(try String(contentsOfFile: "\(directory)/second.done", encoding: .utf8) == "second got 42\n")
        // Run 1's record is whole: its finished node and attempt are there, nothing is half-written.
        #expect(try store.attempts(run: 1).map(\.nodeId) == ["first"])
        #expect(try store.outputs(run: 1)["first"] == ["value": "42"])
    }

    @Test func twoProcessesShareOneBreaker() throws {
        let pipeline =
            Self.header + """
                policies:
                  circuit_breakers:
                    api: {failure_rate: 50%, minimum_calls: 4, window: {calls: 20}, open_for: 10m, when_open: skip}
                steps:
                  call: {run: 'exit 1', circuit_breaker: api, matrix: {leg: [a, b]}}
                """
        let directory = try Self.workspace(pipeline)
        let database = "\(directory)/db.sqlite"
        _ = try SQLiteRunStore(path: database)  // create and migrate once, before two writers race
        let first = try Self.start(["run", "--db", database], in: directory)
        let second = try Self.start(["run", "--db", database], in: directory)
        first.waitUntilExit()
        second.waitUntilExit()
        let store = try SQLiteRunStore(path: database)
        #expect(try store.transitions(breaker: "api").map(\.toState) == ["open"])
        #expect(try store.breakers().first?.state == "open")
        let third = Repository.run(builtDevflow, ["run", "--db", database], directory: directory)
        #expect(third.status == 0)
        #expect(
            try store.nodes(run: 3).allSatisfy {
                $0.status == .skipped && $0.reason == "circuit breaker 'api' is open"
            })
    }

    @Test func hugeOutputLongLinesAndInvalidUTF8AreStoredWithBoundedMemory() throws {
        let pipeline =
            Self.header + """
                steps:
                  flood: {run: "head -c 200000000 /dev/zero | tr '\\\\0' a | fold -w 99"}
                  longline: {run: "head -c 1000000 /dev/zero | tr '\\\\0' b; echo"}
                  binary: {run: "printf '\\\\377\\\\376 not utf-8\\\\n'"}
                """
        let directory = try Self.workspace(pipeline)
        // The peak is measured by a parent of its own: this test process's other children (servers, git) would
        // count in its RUSAGE_CHILDREN.
        let measure = Process()
        measure.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        measure.arguments = [
            "-c",
            "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, "
                + "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
                + "sys.exit(code)",
            builtDevflow, "run", "--db", "\(directory)/db.sqlite",
        ]
        measure.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        measure.standardOutput = pipe
        try measure.run()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        measure.waitUntilExit()
        #expect(measure.terminationStatus == 0)
        let peak = try #require(Int(printed.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(peak < 256 * 1024, "peak RSS of devflow run: \(peak) KiB")
        let store = try SQLiteRunStore(path: "\(directory)/db.sqlite")
        let chunks = try store.logs(run: 1, node: nil)
        let flood = chunks.filter { $0.nodeId == "flood" }
        #expect(flood.reduce(0) { $0 + $1.text.split(separator: "\n").count } == 2_020_203)
        let long = chunks.filter { $0.nodeId == "longline" }.map(\.text).joined(separator: "\n")
        #expect(long.filter { $0 == "b" }.count == 1_000_000)
        #expect(chunks.first { $0.nodeId == "binary" }?.text == "\u{FFFD}\u{FFFD} not utf-8")
    }

    @Test func theRunnerDemoCompletesWithACompleteRecord() throws {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent(
            "devflow-demo-\(UUID().uuidString).sqlite"
        ).path
        let result = Repository.run(
            builtDevflow, ["run", "pipelines/runner-demo.yml", "--db", database], directory: Repository.root.path)
        #expect(result.status == 0, "\(result.output)")
        let store = try SQLiteRunStore(path: database)
        let nodes = Dictionary(uniqueKeysWithValues: try store.nodes(run: 1).map { ($0.nodeId, $0) })
        #expect(
            nodes.values.allSatisfy { [.succeeded, .failed, .skipped].contains($0.status) && $0.finishedAt != nil })
        #expect(nodes["flaky"]?.status == .succeeded && nodes["flaky"]?.attempts == 2)
        #expect(nodes["review-1"]?.allowedFailure == true && nodes["review-2"]?.allowedFailure == true)
        #expect(nodes["review-3"]?.reason == "circuit breaker 'local-agent' is open")
        #expect(try store.outputs(run: 1)["version"]?["version"] == "1.2.3")
        #expect(try store.attempts(run: 1).first { $0.nodeId == "flaky" }?.retryReason?.hasPrefix("exit:75") == true)
        #expect(try store.transitions(breaker: "local-agent").map(\.toState) == ["open"])
        #expect(try store.run(1)?.status == .succeeded)
        #expect(!(try store.logs(run: 1, node: "prepare")).isEmpty)
    }

    @Test func commandAgentsGetTheContextAndMalformedAnswersAreAClearError() throws {
        let pipeline =
            Self.header + """
                agents:
                  good: {command: ./good.sh}
                  bad: {command: ./bad.sh}
                steps:
                  review: {agent: good, with: {level: strict}}
                  use: {needs: [review], run: 'echo "$COUNT" > count.txt', env: {COUNT: "${{ steps.review.outputs.count }}"}}
                  broken: {agent: bad}
                """
        let directory = try Self.workspace(pipeline)
        let good =
            "#!/bin/sh\ncat > context.json\necho 'reviewing' >&2\necho '{\"version\": 1, \"status\": \"success\", \"outputs\": {\"count\": \"3\"}}'\n"
        let bad = "#!/bin/sh\ncat > /dev/null\necho 'this is not json'\n"
        for (name, text) in [("good.sh", good), ("bad.sh", bad)] {
            try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
            chmod("\(directory)/\(name)", 0o755)
        }
        let result = Repository.run(builtDevflow, ["run", "--db", "\(directory)/db.sqlite"], directory: directory)
        #expect(result.status == 1)
        let context =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/context.json")))
            as? [String: Any]
        #expect(context?["version"] as? Int == 1)
        #expect((context?["inputs"] as? [String: Any])?["level"] as? String == "strict")
        #expect(try String(contentsOfFile: "\(directory)/count.txt", encoding: .utf8) == "3\n")
        let store = try SQLiteRunStore(path: "\(directory)/db.sqlite")
        let broken = try #require(try store.attempts(run: 1).first { $0.nodeId == "broken" })
        #expect(broken.status == .error)
        #expect(broken.error?.hasPrefix("the agent's answer is not a valid result (this is not json") == true)
        #expect(try store.logs(run: 1, node: "review").first?.text == "reviewing")
    }

    @Test func aMalformedOutputsFileFailsTheRunAndDevflowPrintsWhy() throws {
        let pipeline =
            Self.header + """
                steps:
                  publish:
                    run: |
                      echo "version=1.2.3" >> "$DEVFLOW_OUTPUT"
                      echo "notes<<EOF" >> "$DEVFLOW_OUTPUT"
                      echo "  EOF" >> "$DEVFLOW_OUTPUT"
                  deploy: {needs: [publish], run: echo deployed}
                """
        let directory = try Self.workspace(pipeline)
        let database = "\(directory)/db.sqlite"
        let result = Repository.run(builtDevflow, ["run", "--db", database], directory: directory)
        #expect(result.status == 1)
        let why =
            "$DEVFLOW_OUTPUT line 3: '  EOF': the value of 'notes' (from line 2) contains its delimiter 'EOF'"
        #expect(result.output.contains("✗ publish failed: \(why)"), "\(result.output)")
        #expect(result.output.contains("deploy skipped: needs 'publish', which failed"), "\(result.output)")
        let shown = Repository.run(builtDevflow, ["runs", "show", "1", "--db", database], directory: directory)
        #expect(shown.output.contains("attempt 1: error in"), "\(shown.output)")
        #expect(shown.output.contains(", exit 0; \(why)"), "\(shown.output)")
        #expect(!shown.output.contains("output version="), "a rejected file publishes nothing")
    }

    @Test func runsShowPrintsOutputsExportedVariablesAndSummaries() throws {
        let pipeline =
            Self.header + """
                steps:
                  build:
                    run: |
                      { echo "notes<<EOF"; echo "line one"; echo "line two"; echo "EOF"; } >> "$DEVFLOW_OUTPUT"
                      echo "IMAGE=app:1" >> "$DEVFLOW_ENV"
                      printf '## Build\\n\\n- ok\\n' >> "$DEVFLOW_SUMMARY"
                  push: {needs: [build], run: 'test "$IMAGE" = app:1'}
                """
        let directory = try Self.workspace(pipeline)
        let database = "\(directory)/db.sqlite"
        let result = Repository.run(builtDevflow, ["run", "--db", database], directory: directory)
        #expect(result.status == 0, "\(result.output)")
        let shown = Repository.run(builtDevflow, ["runs", "show", "1", "--db", database], directory: directory)
        #expect(shown.output.contains("    output notes=line one\n      line two\n"), "\(shown.output)")
        #expect(shown.output.contains("    env IMAGE=app:1\n"), "\(shown.output)")
        #expect(shown.output.contains("    summary:\n      │ ## Build\n      │ \n      │ - ok\n"), "\(shown.output)")
    }

    @Test func planAndRunTakeChangedPathsAndCommitFactsFromGit() throws {
        let pipeline = """
            version: 1
            name: git-facts
            on: {push: {branches: [main]}}
            defaults: {shell: sh -eu}
            steps:
              docs: {run: echo docs, paths: ["docs/**"]}
              code: {run: echo code, paths: ["src/**"]}
            """
        let directory = try Self.workspace(pipeline)
        let git = try #require(Repository.executable("git"))
        for arguments in [
            ["init", "-q", "-b", "main"], ["config", "user.name", "Dev"], ["config", "user.email", "dev@example.com"],
            ["add", "."], ["commit", "-q", "-m", "pipeline"],
        ] {
            #expect(Repository.run(git, arguments, directory: directory).status == 0)
        }
        try FileManager.default.createDirectory(atPath: "\(directory)/src", withIntermediateDirectories: true)
        try "print(1)\n".write(toFile: "\(directory)/src/main.swift", atomically: true, encoding: .utf8)
        #expect(Repository.run(git, ["add", "."], directory: directory).status == 0)
        #expect(Repository.run(git, ["commit", "-q", "-m", "code"], directory: directory).status == 0)
        let plan = Repository.run(builtDevflow, ["plan", "--event", "push"], directory: directory)
        #expect(plan.status == 0)
        #expect(plan.output.contains("triggered by push to 'main' (1 changed path)"), "\(plan.output)")
        #expect(plan.output.contains("paths: no changed path matches docs/**"))
        let run = Repository.run(
            builtDevflow, ["run", "--event", "push", "--db", "\(directory)/db.sqlite"], directory: directory)
        #expect(run.status == 0, "\(run.output)")
        let store = try SQLiteRunStore(path: "\(directory)/db.sqlite")
        let record = try #require(try store.run(1))
        let sha = Repository.run(git, ["rev-parse", "HEAD"], directory: directory).output.trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(record.gitCommit == sha)
        #expect(record.gitBranch == "main")
        #expect(record.gitAuthorTime != nil)
        #expect(
            Dictionary(uniqueKeysWithValues: try store.nodes(run: 1).map { ($0.nodeId, $0.status) }) == [
                "docs": .skipped, "code": .succeeded,
            ])
    }

    @Test func secretsFromAFileAreUsedAndMaskedAndMatrixLogsAreFoundByStep() throws {
        let pipeline =
            Self.header + """
                secrets: [DEPLOY_TOKEN]
                steps:
                  deploy:
                    env: {TOKEN: "${{ secrets.DEPLOY_TOKEN }}"}
                    run: 'echo "token is $TOKEN"; printf "%s" "$TOKEN" > token.txt'
                  test: {run: 'echo "suite $DEVFLOW_MATRIX_SUITE"', matrix: {suite: [Core, Server]}}
                """
        let directory = try Self.workspace(pipeline)
        try "# deployment credentials\nDEPLOY_TOKEN='s3cret-from-file'\nUNDECLARED=ignored\n".write(
            toFile: "\(directory)/secrets.env", atomically: true, encoding: .utf8)
        let database = "\(directory)/db.sqlite"
        let result = Repository.run(
            builtDevflow, ["run", "--db", database, "--secrets-file", "secrets.env"], directory: directory)
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.output.contains("s3cret-from-file"))
        #expect(try String(contentsOfFile: "\(directory)/token.txt", encoding: .utf8) == "s3cret-from-file")
        let logs = Repository.run(
            builtDevflow, ["runs", "logs", "1", "deploy", "--db", database], directory: directory)
        #expect(logs.output == "token is ***\n")
        let legs = Repository.run(builtDevflow, ["runs", "logs", "1", "test", "--db", database], directory: directory)
        #expect(
            legs.output.contains("[test[suite=Core]#1] suite Core")
                && legs.output.contains("[test[suite=Server]#1] suite Server"))
        let missing = Repository.run(
            builtDevflow, ["run", "--db", database, "--secrets-file", "nope.env"], directory: directory)
        #expect(missing.status == 2 && missing.output.contains("cannot read the secrets file 'nope.env'"))
    }

    @Test func securityGuardianFindsPlantedSecretsOnChangedLinesOnlyAndNeverPrintsThem() throws {
        let pipeline = """
            version: 1
            name: review
            on: {push: {branches: [main]}}
            steps:
              guard: {agent: security-guardian, with: {fail_on: high}}
            """
        let directory = try Self.workspace(pipeline)
        let git = try #require(Repository.executable("git"))
        // Built at run time so no key-shaped literal sits in this source file.
        let oldKey = "AKIA" + "QH5TK2WM7RX3VN4B"
        let newKey = "AKIA" + "Z7X2PLM4QW6E3RT5"
        try "let legacy = \"\(oldKey)\"\n".write(toFile: "\(directory)/old.swift", atomically: true, encoding: .utf8)
        for arguments in [
            ["init", "-q", "-b", "main"], ["config", "user.name", "Dev"], ["config", "user.email", "dev@example.com"],
            ["add", "."], ["commit", "-q", "-m", "start"],
        ] {
            #expect(Repository.run(git, arguments, directory: directory).status == 0)
        }
        try "let client = Client()\nlet key = \"\(newKey)\"\ncurl -fsSL https://example.com/install.sh | sh\n".write(
            toFile: "\(directory)/new.swift", atomically: true, encoding: .utf8)
        #expect(Repository.run(git, ["add", "."], directory: directory).status == 0)
        #expect(Repository.run(git, ["commit", "-q", "-m", "client"], directory: directory).status == 0)
        let database = "\(directory)/db.sqlite"
        let run = Repository.run(builtDevflow, ["run", "--event", "push", "--db", database], directory: directory)
        #expect(run.status == 1)
        let store = try SQLiteRunStore(path: database)
        let findings = try store.findings(run: 1)
        #expect(findings.map(\.rule) == ["aws-access-key", "curl-pipe-shell"])
        #expect(findings.allSatisfy { $0.file == "new.swift" })
        #expect(findings.first?.line == 2)
        #expect(findings.first?.column == 12)
        var everything = run.output
        for format in ["json", "markdown", "github", "sarif"] {
            let rendered = Repository.run(
                builtDevflow, ["runs", "findings", "1", "--format", format, "--db", database], directory: directory)
            #expect(rendered.status == 0)
            everything += rendered.output
        }
        everything += try store.logs(run: 1, node: nil).map(\.text).joined()
        for file in [database, database + "-wal"] {
            if let data = FileManager.default.contents(atPath: file) {
                everything += String(decoding: data, as: UTF8.self)
            }
        }
        #expect(!everything.contains(newKey) && !everything.contains(oldKey))
        #expect(everything.contains("AKIA…"))
    }

    @Test func agentRunScansTheWorkspaceOutsideAPipeline() throws {
        let directory = try Self.workspace(Self.header + "steps:\n  a: {run: echo}\n")
        let token = "ghp_" + "Zq7LmN2pR8sT4vW6yA1bC3dE5fG9hJ0kXuYo"
        try "TOKEN = \"\(token)\"\nchmod 777 /srv/data\n".write(
            toFile: "\(directory)/deploy.sh", atomically: true, encoding: .utf8)
        let high = Repository.run(
            builtDevflow, ["agent", "run", "security-guardian", "--with", "scope=all", "--format", "json"],
            directory: directory)
        #expect(high.status == 1)
        #expect(
            high.output.contains("\"rule\" : \"github-token\"") && high.output.contains("\"rule\" : \"world-writable\"")
        )
        #expect(!high.output.contains(token))
        let allowed = Repository.run(
            builtDevflow, ["agent", "run", "security-guardian", "--with", "scope=all", "--with", "allowlist=\(token)"],
            directory: directory)
        #expect(allowed.status == 0, "\(allowed.output)")
        let outside = Repository.run(builtDevflow, ["agent", "run", "security-guardian"], directory: directory)
        #expect(outside.status == 2 && outside.output.contains("use --with scope=all outside a git repository"))
        // List inputs as JSON; an unknown agent or input is a usage error.
        try "root = true\n[*.sh]\ntrim_trailing_whitespace = true\n".write(
            toFile: "\(directory)/.editorconfig", atomically: true, encoding: .utf8)
        try "echo hi  \n".write(toFile: "\(directory)/trail.sh", atomically: true, encoding: .utf8)
        let style = Repository.run(
            builtDevflow,
            ["agent", "run", "style-enforcer", "--with", "scope=all", "--with", "formatters=[]", "--format", "json"],
            directory: directory)
        #expect(style.status == 1 && style.output.contains("\"rule\" : \"trailing-whitespace\""), "\(style.output)")
        let unknown = Repository.run(
            builtDevflow, ["agent", "run", "style-enforcer", "--with", "scop=all"], directory: directory)
        #expect(unknown.status == 2 && unknown.output.contains("has no input 'scop' (did you mean 'scope'?)"))
        #expect(Repository.run(builtDevflow, ["agent", "run", "nope"], directory: directory).status == 2)
    }
}
