import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowStore
import Foundation

/// A few months of made-up but plausible history for a throwaway store, so that a first look at the dashboard, DORA
/// and insights shows something: an app's CI on every push and pull request (lint, build, a test matrix, one flaky
/// suite that passes on retry, findings from a linter), and its delivery pipeline deploying main to staging and
/// production a few times a day, with failed deployments, rollbacks to an earlier commit and hotfix branches.
/// Deterministic for a seed. Everything is written through the store's import, one transaction per day.
public struct DemoHistory: Sendable {
    /// Days of history, ending now.
    public var days: Int
    /// Runs a day, on average (about one in five is a delivery run).
    public var runsPerDay: Double
    /// The seed of the generator.
    public var seed: UInt64

    /// Creates a generator.
    public init(days: Int = 90, runsPerDay: Double = 12, seed: UInt64 = 42) {
        self.days = days
        self.runsPerDay = runsPerDay
        self.seed = seed
    }

    static let ci = """
        version: 1
        name: ci
        on:
          push: {branches: ['**']}
          pull_request: {}
        steps:
          lint:
            run: make lint
          build:
            run: make build
          test:
            needs: [build]
            matrix:
              os: [linux, macos]
            run: make test OS=${{ matrix.os }}
            retry: {attempts: 2}
          integration:
            needs: [build]
            run: make integration
          package:
            needs: [test, integration, lint]
            run: make package
        """

    static let ship = """
        version: 1
        name: ship
        on:
          push: {branches: [main, 'hotfix/**']}
        steps:
          build:
            run: make release
          deploy-staging:
            needs: [build]
            run: ./deploy staging
            deployment: staging
          smoke:
            needs: [deploy-staging]
            run: ./smoke staging
          deploy-production:
            needs: [smoke]
            run: ./deploy production
            deployment: production
        """

    /// Typical seconds per step (the median of a log-normal spread).
    static let typicalSeconds: [String: Double] = [
        "lint": 14, "build": 95, "integration": 240, "package": 30, "deploy-staging": 70, "smoke": 45,
        "deploy-production": 110,
    ]

    /// Fills `store` (which must have no runs); returns how many runs it wrote.
    @discardableResult
    public func fill(_ store: SQLiteRunStore, now: Date = Date()) throws -> Int {
        let existing = try store.runCount()
        guard existing == 0 else {
            throw StoreError(
                "the store already holds \(existing) runs; demo data goes only into a new, throwaway store (use another --db)"
            )
        }
        let pipelines = try [Self.ci, Self.ship].map { text in
            guard let graph = Compiler.compile(SourceFile(path: ".devflow.yml", text: text)).graph else {
                throw StoreError("the demo pipeline does not compile")
            }
            return graph
        }
        var random = SplitMix64(seed: seed)
        var state = DeliveryState()
        var written = 0
        let start = now.addingTimeInterval(-Double(days) * 86_400)
        for day in 0..<days {
            var batch: [ImportedRun] = []
            let dayStart = start.addingTimeInterval(Double(day) * 86_400)
            let weekend = Calendar(identifier: .gregorian).isDateInWeekend(dayStart)
            let count = Int((runsPerDay * (weekend ? 0.25 : 1.2) * (0.7 + 0.6 * random.unit())).rounded())
            var times = (0..<count).map { _ in dayStart.addingTimeInterval(86_400 * random.workingHour()) }
            times.sort()
            for queued in times where queued < now.addingTimeInterval(-3600) {
                let delivery = random.unit() < 0.2
                let run =
                    delivery
                    ? deliveryRun(pipelines[1], queued: queued, random: &random, state: &state)
                    : ciRun(pipelines[0], queued: queued, random: &random)
                batch.append(run)
            }
            try store.importRuns(batch)
            written += batch.count
        }
        return written
    }

    struct DeliveryState {
        var deployed: [String] = []
    }

    func ciRun(_ graph: ExecutionGraph, queued: Date, random: inout SplitMix64) -> ImportedRun {
        let branch =
            random.unit() < 0.55
            ? "main" : ["feature/search", "feature/billing", "fix/login", "chore/deps"][random.below(4)]
        let pullRequest = branch != "main" && random.unit() < 0.6
        let author = ["ada", "grace", "linus", "margaret", "ken"][random.below(5)]
        let event = QueuedEvent(
            kind: pullRequest ? "pull_request" : "push", branch: branch,
            summary: pullRequest
                ? "pull request #\(100 + random.below(400)) on \(branch) by \(author)"
                : "push to branch '\(branch)' by \(author)")
        return simulate(
            graph, pipeline: "ci", event: event, branch: branch, commit: random.hex(40), queued: queued,
            random: &random
        ) { node, random in
            if node == "integration" { return random.unit() < 0.07 }
            if node == "lint" { return random.unit() < 0.03 }
            return random.unit() < 0.01
        }
    }

    func deliveryRun(_ graph: ExecutionGraph, queued: Date, random: inout SplitMix64, state: inout DeliveryState)
        -> ImportedRun
    {
        let hotfix = random.unit() < 0.06
        let branch = hotfix ? "hotfix/\(["checkout", "timeouts", "cache"][random.below(3)])" : "main"
        var commit = random.hex(40)
        // A rollback redeploys a commit that was deployed before.
        if !hotfix, state.deployed.count > 3, random.unit() < 0.05 {
            commit = state.deployed[state.deployed.count - 2 - random.below(2)]
        }
        let event = QueuedEvent(kind: "push", branch: branch, summary: "push to branch '\(branch)' by release-bot")
        let run = simulate(
            graph, pipeline: "ship", event: event, branch: branch, commit: commit, queued: queued, random: &random
        ) { node, random in
            switch node {
            case "deploy-production": random.unit() < 0.06
            case "deploy-staging": random.unit() < 0.04
            case "smoke": random.unit() < 0.05
            default: random.unit() < 0.01
            }
        }
        if run.run.status == .succeeded { state.deployed.append(commit) }
        return run
    }

    /// One run of `graph`: nodes start when their needs finish, take a log-normal time around their typical one,
    /// fail with `fails`'s odds (the test matrix fails its first attempt now and then and passes the retry);
    /// a failure skips what needs it.
    func simulate(
        _ graph: ExecutionGraph, pipeline: String, event: QueuedEvent, branch: String, commit: String, queued: Date,
        random: inout SplitMix64, fails: (String, inout SplitMix64) -> Bool
    ) -> ImportedRun {
        let started = queued.addingTimeInterval(1 + 25 * random.unit() * random.unit())
        var finish: [String: Date] = [:]
        var status: [String: NodeStatus] = [:]
        var nodes: [NodeRecord] = []
        var attempts: [AttemptRecord] = []
        var logs: [String: String] = [:]
        var findings: [FindingRecord] = []
        var pending = graph.nodes
        while !pending.isEmpty {
            guard let index = pending.firstIndex(where: { node in node.needs.allSatisfy { finish[$0] != nil } }) else {
                break
            }
            let node = pending.remove(at: index)
            let ready = node.needs.compactMap { finish[$0] }.max() ?? started
            if node.needs.contains(where: { status[$0] != .succeeded }) {
                status[node.id] = .skipped
                finish[node.id] = ready
                nodes.append(
                    NodeRecord(
                        runId: 0, nodeId: node.id, status: .skipped,
                        reason: "a step it needs did not succeed", attempts: 0, startedAt: nil, finishedAt: nil,
                        fingerprint: nil, allowedFailure: false))
                continue
            }
            let typical = Self.typicalSeconds[node.id] ?? (node.id.hasPrefix("test") ? 180 : 60)
            var clock = ready
            var number = 0
            var outcome = NodeStatus.failed
            let flaky = node.id.hasPrefix("test") && random.unit() < 0.08
            repeat {
                number += 1
                let seconds = typical * exp(0.35 * random.normal())
                let end = clock.addingTimeInterval(seconds)
                let failed = (flaky && number == 1) || fails(node.id, &random)
                attempts.append(
                    AttemptRecord(
                        id: nil, runId: 0, nodeId: node.id, number: number,
                        status: failed ? .failed : .succeeded,
                        exitCode: failed ? 1 : 0, signal: nil, startedAt: clock, finishedAt: end,
                        durationMs: Int(seconds * 1000),
                        retryReason: failed && number < 2 && flaky ? "exit code 1" : nil,
                        error: nil))
                clock = end
                outcome = failed ? .failed : .succeeded
            } while outcome == .failed && flaky && number < 2
            status[node.id] = outcome
            finish[node.id] = clock
            nodes.append(
                NodeRecord(
                    runId: 0, nodeId: node.id, status: outcome,
                    reason: outcome == .failed ? "exit code 1" : nil, attempts: number, startedAt: ready,
                    finishedAt: clock, fingerprint: nil, allowedFailure: false))
            logs[node.id] = [
                "$ \(node.id == "lint" ? "make lint" : "make \(node.id)")",
                "\u{1B}[36minfo\u{1B}[0m working on \(commit.prefix(7)) (\(branch))",
                outcome == .succeeded
                    ? "\u{1B}[32mok\u{1B}[0m \(node.id) finished"
                    : "\u{1B}[31merror\u{1B}[0m \(node.id) failed: exit code 1",
            ].joined(separator: "\n")
            if node.id == "lint", random.unit() < 0.3 {
                findings.append(
                    FindingRecord(
                        id: nil, runId: 0, nodeId: "lint", attempt: 1, rule: "style/line-length", severity: "warning",
                        file: "Sources/App/Checkout.swift", line: 10 + random.below(200), column: 121, endLine: 0,
                        endColumn: 0, message: "line is longer than 120 characters", fix: nil))
            }
        }
        let ended = finish.values.max() ?? started
        let failed = status.values.contains(.failed)
        let record = RunRecord(
            id: nil, pipeline: pipeline, file: ".devflow.yml", graphHash: graph.contentHash,
            graphJSON: String(decoding: graph.canonicalJSON(), as: UTF8.self), event: event.json, gitCommit: commit,
            gitBranch: branch, gitAuthorTime: queued.addingTimeInterval(-600 - 40_000 * random.unit() * random.unit()),
            status: failed ? .failed : .succeeded, queuedAt: queued, startedAt: started, finishedAt: ended, pid: 0,
            host: "demo", heartbeatAt: ended, resumedFrom: nil, repository: "acme/app", ref: "refs/heads/\(branch)")
        var outputs: [String: [String: String]] = [:]
        if status["build"] == .succeeded { outputs["build"] = ["version": "1.\(random.below(40)).\(random.below(10))"] }
        return ImportedRun(
            run: record, nodes: nodes, attempts: attempts, logs: logs, outputs: outputs, findings: findings)
    }
}

/// A small, fast, seedable generator (SplitMix64): the demo's history is the same for the same seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform in 0..<count.
    mutating func below(_ count: Int) -> Int { Int(next() % UInt64(count)) }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = max(unit(), 1e-12)
        return sqrt(-2 * log(u)) * cos(2 * .pi * unit())
    }

    /// A fraction of a day, mostly in working hours (08:00–19:00 UTC).
    mutating func workingHour() -> Double {
        unit() < 0.9 ? (8 + 11 * unit()) / 24 : unit()
    }

    /// `count` lowercase hex digits.
    mutating func hex(_ count: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[below(16)] })
    }
}
