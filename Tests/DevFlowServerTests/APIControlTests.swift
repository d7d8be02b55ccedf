import DevFlowServer
import DevFlowStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Pause and resume (a run, a repository's queue), reruns, manual inputs checked in the request, and redelivery,
/// through the API of a server whose workers run real pushes.
@Suite("API: pause, resume, rerun, inputs and redelivery", .serialized)
struct APIControlTests {
    /// A pipeline of two steps: `first` waits for `release-N` in `marks` (N is the run id), `second` needs it and
    /// fails unless `marks/fixed` exists.
    static func pipeline(marks: String) -> String {
        """
        version: 1
        name: ci
        on:
          push: {branches: [main]}
          manual:
            inputs:
              environment: {type: choice, options: [staging, production], required: true}
              dry_run: {type: boolean, default: true}
        steps:
          first:
            run: >-
              echo run >> \(marks)/first-$DEVFLOW_RUN_ID; touch \(marks)/started-$DEVFLOW_RUN_ID;
              while [ ! -f \(marks)/release-$DEVFLOW_RUN_ID ] && [ ! -f \(marks)/release-all ]; do sleep 0.05; done
          second:
            needs: [first]
            run: echo run >> \(marks)/second-$DEVFLOW_RUN_ID; test -f \(marks)/fixed
        """
    }

    final class Harness: @unchecked Sendable {
        let fixture: ServerFixture
        let marks: String
        var tokens: [APIRole: String] = [:]

        init(workers: Int = 1) throws {
            marks = try ServerConcurrencyTests.marks()
            fixture = try ServerFixture(pipeline: APIControlTests.pipeline(marks: marks), workers: workers)
            tokens = try APIFixture.makeTokens(in: fixture.context.store)
        }

        deinit { try? FileManager.default.removeItem(atPath: marks) }

        var store: any ServerStore { fixture.context.store }

        func headers(_ role: APIRole) -> HTTPFields {
            [.authorization: "Bearer \(tokens[role] ?? "")", .contentType: "application/json"]
        }

        func post<Client: TestClientProtocol>(
            _ client: Client, _ uri: String, _ body: String = "{}", role: APIRole = .operator
        ) async throws -> (HTTPResponse.Status, [String: Any]) {
            let response = try await client.execute(
                uri: uri, method: .post, headers: headers(role), body: ByteBuffer(string: body))
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any]
            return (response.status, object ?? [:])
        }

        func mark(_ name: String) { FileManager.default.createFile(atPath: "\(marks)/\(name)", contents: nil) }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: "\(marks)/\(name)") }
        func lines(_ name: String) -> Int {
            ((try? String(contentsOfFile: "\(marks)/\(name)", encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        func nodes(_ run: Int64) throws -> [String: String] {
            Dictionary(uniqueKeysWithValues: try store.nodes(run: run).map { ($0.nodeId, $0.status.rawValue) })
        }
    }

    @Test("a paused run finishes its running step and starts nothing new until it is resumed; both audited")
    func pauseARunningRun() async throws {
        let harness = try Harness()
        let fixture = harness.fixture
        harness.mark("fixed")
        try await buildApplication(fixture.context).test(.live) { client in
            let run = try await fixture.push(client, delivery: "d-1", after: try fixture.head())
            try await fixture.waitUntil("the first step started") { harness.exists("started-\(run)") }
            let (status, body) = try await harness.post(client, "/api/v1/runs/\(run)/pause", #"{"reason": "freeze"}"#)
            #expect(status == .ok)
            #expect(body["paused"] as? Bool == true && body["status"] as? String == "running")
            harness.mark("release-\(run)")
            try await fixture.waitUntil("the first step finished") { try harness.nodes(run)["first"] == "succeeded" }
            // Two engine heartbeats: the second step would have started by now.
            try await Task.sleep(nanoseconds: 2_200_000_000)
            #expect(!harness.exists("second-\(run)"), "a step started while the run was paused")
            #expect(try harness.store.run(run)?.status == .running)
            #expect(try await harness.post(client, "/api/v1/runs/\(run)/pause").0 == .ok)  // idempotent, not audited
            let (resumed, after) = try await harness.post(client, "/api/v1/runs/\(run)/resume")
            #expect(resumed == .ok && after["paused"] as? Bool == false)
            #expect(try await fixture.waitForRun(run).status == .succeeded)
            #expect(try await harness.post(client, "/api/v1/runs/\(run)/pause").0 == .conflict)
            #expect(try await harness.post(client, "/api/v1/runs/\(run)/resume", role: .viewer).0 == .forbidden)
            #expect(try await harness.post(client, "/api/v1/runs/999/pause").0 == .notFound)
            let audit = try harness.store.audit(since: nil, until: nil, limit: 10)
            #expect(audit.map(\.action) == ["run.pause", "run.resume"])
            #expect(audit.first?.details == "freeze" && audit.first?.target == "run/\(run)")
        }
    }

    @Test("a paused repository records deliveries and queues runs that wait unclaimed until it is resumed")
    func pauseARepository() async throws {
        let harness = try Harness()
        let fixture = harness.fixture
        harness.mark("fixed")
        harness.mark("release-all")
        try await buildApplication(fixture.context).test(.live) { client in
            let (paused, repository) = try await harness.post(
                client, "/api/v1/repos/acme%2Fapp/pause", #"{"reason": "migration"}"#, role: .admin)
            #expect(paused == .ok)
            #expect(repository["paused"] as? Bool == true && repository["paused_by"] as? String == "t-admin")
            let run = try await fixture.push(client, delivery: "d-1", after: try fixture.head())
            try await Task.sleep(nanoseconds: 1_000_000_000)  // five worker polls
            let waiting = try #require(try harness.store.run(run))
            #expect(waiting.status == .queued && waiting.workerId == nil)
            let listing = try await client.execute(
                uri: "/api/v1/repos", method: .get, headers: harness.headers(.viewer))
            let repositories = try APIFixture.json(listing)["repositories"] as? [[String: Any]]
            #expect(repositories?.first?["pause_reason"] as? String == "migration")
            #expect(try await harness.post(client, "/api/v1/repos/acme%2Fnope/pause", role: .admin).0 == .notFound)
            #expect(try await harness.post(client, "/api/v1/repos/acme%2Fapp/pause", role: .operator).0 == .forbidden)
            #expect(try await harness.post(client, "/api/v1/repos/acme%2Fapp/resume", role: .viewer).0 == .forbidden)
            let (resumed, after) = try await harness.post(client, "/api/v1/repos/acme%2Fapp/resume", role: .admin)
            #expect(resumed == .ok && after["paused"] as? Bool == false)
            #expect(try await fixture.waitForRun(run).status == .succeeded)
            let audit = try harness.store.audit(since: nil, until: nil, limit: 10).map(\.action)
            #expect(audit == ["repo.pause", "repo.resume"])
        }
    }

    @Test("a paused queued run is not claimed; once resumed it runs")
    func pauseAQueuedRun() async throws {
        let harness = try Harness()
        let fixture = harness.fixture
        harness.mark("fixed")
        try await buildApplication(fixture.context).test(.live) { client in
            #expect(try await harness.post(client, "/api/v1/repos/acme%2Fapp/pause", role: .admin).0 == .ok)
            let run = try await fixture.push(client, delivery: "d-1", after: try fixture.head())
            #expect(try await harness.post(client, "/api/v1/runs/\(run)/pause").0 == .ok)
            #expect(try await harness.post(client, "/api/v1/repos/acme%2Fapp/resume", role: .admin).0 == .ok)
            try await Task.sleep(nanoseconds: 1_000_000_000)
            #expect(try harness.store.run(run)?.status == .queued)
            harness.mark("release-\(run)")
            #expect(try await harness.post(client, "/api/v1/runs/\(run)/resume").0 == .ok)
            #expect(try await fixture.waitForRun(run).status == .succeeded)
        }
    }

    @Test("reruns: failed only reuses what succeeded, from a node reruns it and its dependents, all reruns everything")
    func reruns() async throws {
        let harness = try Harness()
        let fixture = harness.fixture
        harness.mark("release-all")
        try await buildApplication(fixture.context).test(.live) { client in
            let original = try await fixture.push(client, delivery: "d-1", after: try fixture.head())
            #expect(try await fixture.waitForRun(original).status == .failed)
            #expect(
                try await harness.post(client, "/api/v1/runs/\(original)/rerun", #"{"mode": "failed"}"#).0 == .created)
            harness.mark("fixed")
            let (status, body) = try await harness.post(
                client, "/api/v1/runs/\(original)/rerun", #"{"mode": "failed"}"#)
            #expect(status == .created && body["rerun_of"] as? NSNumber == NSNumber(value: original))
            let failed = try #require((body["id"] as? NSNumber)?.int64Value)
            #expect(try await fixture.waitForRun(failed).status == .succeeded)
            #expect(try harness.nodes(failed) == ["first": "reused", "second": "succeeded"])
            #expect(harness.lines("first-\(failed)") == 0)

            let fromFirst = try await harness.post(
                client, "/api/v1/runs/\(failed)/rerun", #"{"mode": "from", "node": "first"}"#)
            let from = try #require((fromFirst.1["id"] as? NSNumber)?.int64Value)
            #expect(try await fixture.waitForRun(from).status == .succeeded)
            #expect(try harness.nodes(from) == ["first": "succeeded", "second": "succeeded"])
            #expect(harness.lines("first-\(from)") == 1 && harness.lines("second-\(from)") == 1)
            let fromSecond = try await harness.post(
                client, "/api/v1/runs/\(from)/rerun", #"{"mode": "from", "node": "second"}"#)
            let second = try #require((fromSecond.1["id"] as? NSNumber)?.int64Value)
            #expect(try await fixture.waitForRun(second).status == .succeeded)
            #expect(try harness.nodes(second) == ["first": "reused", "second": "succeeded"])

            let all = try await harness.post(client, "/api/v1/runs/\(second)/rerun")
            let every = try #require((all.1["id"] as? NSNumber)?.int64Value)
            #expect(try await fixture.waitForRun(every).status == .succeeded)
            #expect(try harness.nodes(every) == ["first": "succeeded", "second": "succeeded"])
            let detail = try await client.execute(
                uri: "/api/v1/runs/\(from)", method: .get, headers: harness.headers(.viewer))
            #expect(try APIFixture.json(detail)["rerun_from"] as? String == "first")

            let bad: [(String, HTTPResponse.Status, String)] = [
                (#"{"mode": "from"}"#, .unprocessableContent, "invalid_field"),
                (#"{"mode": "from", "node": "secnod"}"#, .unprocessableContent, "unknown_node"),
                (#"{"mode": "sometimes"}"#, .unprocessableContent, "invalid_field"),
                (#"{"mode": "failed", "node": "first"}"#, .unprocessableContent, "invalid_field"),
            ]
            for (text, expected, code) in bad {
                let (status, answer) = try await harness.post(client, "/api/v1/runs/\(original)/rerun", text)
                #expect(status == expected, "\(text)")
                #expect((answer["error"] as? [String: Any])?["code"] as? String == code, "\(text)")
            }
            let unknown = try await harness.post(
                client, "/api/v1/runs/\(original)/rerun", #"{"mode": "from", "node": "secnod"}"#)
            let message = (unknown.1["error"] as? [String: Any])?["message"] as? String
            #expect(message == "there is no step or node 'secnod' in run \(original); did you mean 'second'?")
            #expect(try await harness.post(client, "/api/v1/runs/\(original)/rerun", role: .viewer).0 == .forbidden)
            let audit = try harness.store.audit(since: nil, until: nil, limit: 20).filter { $0.action == "run.rerun" }
            #expect(audit.count == 5)
            #expect(audit.last?.details == "all as run \(every)")
        }
    }

    @Test("a run that is not finished cannot be rerun, and a run that never compiled reruns only with mode all")
    func rerunConflicts() async throws {
        let harness = try Harness()
        let fixture = harness.fixture
        try await buildApplication(fixture.context).test(.live) { client in
            let run = try await fixture.push(client, delivery: "d-1", after: try fixture.head())
            try await fixture.waitUntil("the run started") { harness.exists("started-\(run)") }
            let (status, body) = try await harness.post(client, "/api/v1/runs/\(run)/rerun")
            #expect(status == .conflict)
            #expect((body["error"] as? [String: Any])?["code"] as? String == "run_not_finished")
            harness.mark("release-\(run)")
            _ = try await fixture.waitForRun(run)
            // Queued while the repository is paused, so no worker claims it before it is settled.
            try harness.store.pauseRepository(
                RepositoryPause(repository: "acme/app", pausedAt: Date(), actor: "test", reason: nil))
            let broken = try harness.store.enqueue(
                RunRecord(
                    id: nil, pipeline: "", file: ".devflow.yml", graphHash: "", graphJSON: "",
                    event: #"{"kind":"push","inputs":{},"fromFork":false,"summary":"push"}"#, gitCommit: nil,
                    gitBranch: "main", gitAuthorTime: nil, status: .queued, queuedAt: Date(), startedAt: nil,
                    finishedAt: nil, pid: 0, host: "", heartbeatAt: Date(), resumedFrom: nil, repository: "acme/app",
                    ref: "refs/heads/main"))
            let id = try requireID(broken.id)
            try harness.store.settle(run: id, status: .configError, reason: "bad", diagnostics: "[]", at: Date())
            let failed = try await harness.post(client, "/api/v1/runs/\(id)/rerun", #"{"mode": "failed"}"#)
            #expect(failed.0 == .conflict && (failed.1["error"] as? [String: Any])?["code"] as? String == "no_graph")
        }
    }

    @Test("manual inputs are checked in the request against the ref's pipeline, each problem in the compiler's words")
    func manualInputs() async throws {
        let harness = try Harness()
        let fixture = harness.fixture
        harness.mark("fixed")
        harness.mark("release-all")
        try await buildApplication(fixture.context).test(.live) { client in
            let push = try await fixture.push(client, delivery: "d-1", after: try fixture.head())
            #expect(try await fixture.waitForRun(push).status == .succeeded)
            // The branch moves on after the mirror's last fetch: the request checks against the mirror's pipeline,
            // the worker against the commit it runs, and fails the run in the same words.
            let moved = APIControlTests.pipeline(marks: harness.marks).replacingOccurrences(
                of: "options: [staging, production]", with: "options: [qa, prod]")
            try fixture.repository.write(".devflow.yml", moved)
            try fixture.repository.commit("other environments")
            let (queued, early) = try await harness.post(
                client, "/api/v1/repos/acme%2Fapp/runs", #"{"inputs": {"environment": "staging"}}"#)
            #expect(queued == .created)
            let unchecked = try #require((early["id"] as? NSNumber)?.int64Value)
            let failed = try await fixture.waitForRun(unchecked)
            #expect(failed.status == .failed)
            #expect(
                failed.statusReason?.hasSuffix(
                    "invalid value of choice input 'environment': 'staging'; expected 'qa' or 'prod'") == true,
                "\(failed.statusReason ?? "")")
            try fixture.repository.write(".devflow.yml", APIControlTests.pipeline(marks: harness.marks))
            try fixture.repository.commit("back")
            let refetch = try await fixture.push(client, delivery: "d-2", after: try fixture.head())
            #expect(try await fixture.waitForRun(refetch).status == .succeeded)
            // Now the mirror knows main: problems come back at once, as a 422.
            let (status, body) = try await harness.post(
                client, "/api/v1/repos/acme%2Fapp/runs",
                #"{"ref": "main", "inputs": {"environment": "prodution", "dry-run": false}}"#)
            #expect(status == .unprocessableContent)
            let error = try #require(body["error"] as? [String: Any])
            #expect(error["code"] as? String == "invalid_inputs")
            let problems = (error["details"] as? [String: Any])?["problems"] as? [[String: Any]] ?? []
            #expect(
                problems.map { $0["message"] as? String ?? "" } == [
                    "unknown input 'dry-run'; did you mean 'dry_run'?",
                    "invalid value of choice input 'environment': 'prodution'; did you mean 'production'?",
                ])
            #expect(problems.map { $0["rule"] as? String ?? "" } == ["unknown-key", "invalid-value"])
            let missing = try await harness.post(client, "/api/v1/repos/acme%2Fapp/runs", "{}")
            #expect(missing.0 == .unprocessableContent)
            let (created, good) = try await harness.post(
                client, "/api/v1/repos/acme%2Fapp/runs", #"{"inputs": {"environment": "staging", "dry_run": false}}"#)
            #expect(created == .created)
            let run = try #require((good["id"] as? NSNumber)?.int64Value)
            #expect(try await fixture.waitForRun(run).status == .succeeded)
        }
    }

    @Test("a stored delivery is redelivered as a new delivery with a new run; unknown ids are 404s")
    func redeliver() async throws {
        let harness = try Harness()
        let fixture = harness.fixture
        harness.mark("fixed")
        harness.mark("release-all")
        try await buildApplication(fixture.context).test(.live) { client in
            let first = try await fixture.push(client, delivery: "d-1", after: try fixture.head())
            #expect(try await fixture.waitForRun(first).status == .succeeded)
            let delivery = try #require(try harness.store.deliveries(limit: 1).first?.id)
            let (status, body) = try await harness.post(client, "/api/v1/deliveries/\(delivery)/redeliver")
            #expect(status == .accepted)
            #expect((body["delivery_key"] as? String)?.hasPrefix("d-1/redelivery-") == true)
            let runs = body["runs"] as? [NSNumber] ?? []
            let run = try #require(runs.first?.int64Value)
            #expect(run != first)
            #expect(try await fixture.waitForRun(run).status == .succeeded)
            #expect(try harness.store.deliveries(limit: 5).count == 2)
            #expect(try await harness.post(client, "/api/v1/deliveries/999/redeliver").0 == .notFound)
            #expect(try await harness.post(client, "/api/v1/deliveries/x/redeliver").0 == .notFound)
            let viewer = try await harness.post(client, "/api/v1/deliveries/\(delivery)/redeliver", role: .viewer)
            #expect(viewer.0 == .forbidden)
            let audit = try harness.store.audit(since: nil, until: nil, limit: 5)
            #expect(audit.map(\.action) == ["delivery.redeliver"])
            #expect(audit.first?.target == "delivery/\(delivery)")
        }
    }

    @Test(
        "the devflow binary over --server: runs pause, resume, rerun --failed and trigger, with the server's refusals",
        .enabled(if: FileManager.default.isExecutableFile(atPath: ServerProcessTests.devflow)))
    func commandLine() async throws {
        let harness = try Harness()
        let fixture = harness.fixture
        try await buildApplication(fixture.context).test(.live) { client in
            let environment = [
                "DEVFLOW_SERVER": "http://127.0.0.1:\(try #require(client.port))",
                "DEVFLOW_TOKEN": harness.tokens[.operator] ?? "",
            ]
            func devflow(_ arguments: [String]) async throws -> (Int32, String, String) {
                try await APIClientTests.devflow(arguments, environment: environment)
            }
            let run = try await fixture.push(client, delivery: "d-1", after: try fixture.head())
            try await fixture.waitUntil("the first step started") { harness.exists("started-\(run)") }
            let paused = try await devflow(["runs", "pause", "\(run)", "--reason", "look first"])
            #expect(paused.0 == 0 && paused.1 == "run \(run): running, paused\n", "\(paused)")
            harness.mark("release-\(run)")
            try await fixture.waitUntil("the first step finished") { try harness.nodes(run)["first"] == "succeeded" }
            #expect(try await devflow(["runs", "resume", "\(run)"]).1 == "run \(run): running\n")
            #expect(try await fixture.waitForRun(run).status == .failed)
            harness.mark("fixed")
            let rerun = try await devflow(["runs", "rerun", "\(run)", "--failed"])
            #expect(rerun.0 == 0, "\(rerun)")
            let id = try #require(Int64(rerun.1.split(separator: " ").dropFirst(2).first?.dropLast() ?? ""))
            #expect(rerun.1 == "queued run \(id): a rerun of run \(run)\n")
            #expect(try await fixture.waitForRun(id).status == .succeeded)
            #expect(try harness.nodes(id) == ["first": "reused", "second": "succeeded"])
            let another = try await fixture.push(client, delivery: "d-2", after: try fixture.head())
            try await fixture.waitUntil("the second run started") { harness.exists("started-\(another)") }
            let cancelled = try await devflow(["runs", "cancel", "\(another)", "--reason", "not this one"])
            #expect(cancelled.0 == 0 && cancelled.1 == "run \(another): running, asked to stop\n", "\(cancelled)")
            let stopped = try await fixture.waitForRun(another)
            #expect(stopped.status == .cancelled && stopped.statusReason == "not this one")
            let again = try await devflow(["runs", "pause", "\(run)"])
            #expect(again.0 == 1 && again.2.contains("run \(run) has finished (failed)"), "\(again)")
            let badInput = try await devflow(["trigger", "acme/app", "--input", "environment=prod"])
            #expect(badInput.0 == 1)
            #expect(badInput.2.contains("invalid value of choice input 'environment': 'prod'"), "\(badInput)")
            harness.mark("release-all")
            let triggered = try await devflow(["trigger", "acme/app", "--input", "environment=staging"])
            #expect(
                triggered.0 == 0 && triggered.1.hasSuffix("manual run of acme/app refs/heads/main\n"), "\(triggered)")
            let local = try await APIClientTests.devflow(["runs", "pause", "1"])
            #expect(local.0 != 0 && local.2.contains("'runs pause' needs --server"), "\(local)")
        }
    }
}
