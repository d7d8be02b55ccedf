import DevFlowForges
import DevFlowServer
import DevFlowStore
import DevFlowStorePostgres
import DevFlowStoreTestSupport
import DevFlowTestSupport
import DevFlowWebhooks
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Several hosts for real: `devflow serve` and two `devflow worker`s, each in a network namespace of its own (a
/// veth link to the test's namespace, its own host name), share a PostgreSQL cluster over those links. A worker's
/// whole namespace is killed in the middle of a run; the run completes on the other worker, its finished step not
/// run again. Where namespaces cannot be made (no CAP_SYS_ADMIN), the test says so and runs the same processes on
/// the loopback (`DEVFLOW_TEST_NO_NETNS=1` asks for that).
@Suite(
    "several hosts", .serialized, .enabled(if: PostgresInstallation.present), .disabled(if: TestStore.usesPostgres))
struct MultiHostTests {
    static let pipeline = """
        version: 1
        name: ci
        on: {push: {branches: [main]}}
        steps:
          first:
            run: echo "$(cat /proc/sys/kernel/hostname) ran" >> "$MARKS/first"
          second:
            needs: [first]
            run: |
              echo "$(cat /proc/sys/kernel/hostname)" >> "$MARKS/second"
              if [ "$(wc -l < "$MARKS/second")" -gt 1 ]; then exit 0; fi
              sleep 120
        """

    /// One host: a namespace with a veth link `10.213.N.1` (this side) ↔ `10.213.N.2` (its side), or the loopback.
    struct Host {
        let name: String
        /// The network namespace, nil on the loopback.
        let namespace: String?
        /// Its own address.
        let address: String
        /// The address it reaches the test's namespace (PostgreSQL) at.
        let gateway: String

        /// `command` run inside the host: its namespace, a host name of its own (`unshare --uts`).
        func wrap(_ command: [String]) -> [String] {
            guard let namespace else { return command }
            let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            return [
                "/usr/sbin/ip", "netns", "exec", namespace, "/usr/bin/unshare", "--uts", "/bin/sh", "-c",
                "echo \(name) > /proc/sys/kernel/hostname && exec " + quoted.joined(separator: " "),
            ]
        }
    }

    /// Makes the hosts' namespaces, or nil when this machine does not allow it (the reason is printed).
    static func makeNamespaces(_ names: [String], tag: String) -> [Host]? {
        if ProcessInfo.processInfo.environment["DEVFLOW_TEST_NO_NETNS"] != nil {
            print("several hosts: DEVFLOW_TEST_NO_NETNS is set; running on the loopback instead")
            return nil
        }
        var hosts: [Host] = []
        for (index, name) in names.enumerated() {
            let namespace = "devflow-\(tag)-\(name)"
            let outer = "dfm\(tag)\(index)a"
            let inner = "dfm\(tag)\(index)b"
            let subnet = "10.213.\(index + 1)"
            let steps: [[String]] = [
                ["netns", "add", namespace],
                ["link", "add", outer, "type", "veth", "peer", "name", inner],
                ["link", "set", inner, "netns", namespace],
                ["addr", "add", "\(subnet).1/24", "dev", outer],
                ["link", "set", outer, "up"],
                ["netns", "exec", namespace, "ip", "addr", "add", "\(subnet).2/24", "dev", inner],
                ["netns", "exec", namespace, "ip", "link", "set", inner, "up"],
                ["netns", "exec", namespace, "ip", "link", "set", "lo", "up"],
            ]
            for step in steps {
                let (status, output) = Spawn.run(["/usr/sbin/ip"] + step)
                if status != 0 {
                    print(
                        "several hosts: cannot make network namespaces (ip \(step.joined(separator: " ")): "
                            + "\(output.trimmingCharacters(in: .whitespacesAndNewlines))); running on the loopback instead"
                    )
                    removeNamespaces(hosts + [Host(name: name, namespace: namespace, address: "", gateway: "")])
                    return nil
                }
            }
            hosts.append(Host(name: name, namespace: namespace, address: "\(subnet).2", gateway: "\(subnet).1"))
        }
        return hosts
    }

    /// Kills every process in each host's namespace and deletes it (its veth link goes with it).
    static func removeNamespaces(_ hosts: [Host]) {
        for host in hosts {
            guard let namespace = host.namespace else { continue }
            killAll(in: namespace)
            _ = Spawn.run(["/usr/sbin/ip", "netns", "del", namespace])
        }
    }

    /// SIGKILL to every process of `namespace`: the host is gone at once.
    static func killAll(in namespace: String) {
        let (_, output) = Spawn.run(["/usr/sbin/ip", "netns", "pids", namespace])
        for pid in output.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
    }

    @Test("a server and two workers on separate hosts: a worker's host dies mid-run, the other finishes the run")
    func workerHostDies() async throws {
        let tag = String(getpid() % 10000)
        let hosts = Self.makeNamespaces(["srv", "w1", "w2"], tag: tag)
        defer { if let hosts { Self.removeNamespaces(hosts) } }
        let loopback = Host(name: StoreHost.name, namespace: nil, address: "127.0.0.1", gateway: "127.0.0.1")
        let (server, first, second) = hosts.map { ($0[0], $0[1], $0[2]) } ?? (loopback, loopback, loopback)
        let cluster = try PrivateCluster(
            listen: hosts == nil ? "127.0.0.1" : "*", trustedNetwork: hosts == nil ? nil : "10.213.0.0/16")
        defer { cluster.remove() }

        let repository = try GitFixture()
        try repository.write(".devflow.yml", Self.pipeline)
        try repository.commit("pipeline")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-hosts-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory + "/marks", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = ServerProcessTests.Setup.freePort()
        let secret = "hosts-secret"
        try """
        listen: \(server.address):\(port)
        data: \(directory)/server
        workers: 0
        lease: 3s
        step_env: [MARKS]
        repositories:
          - name: acme/app
            forge: github
            clone_url: \(repository.path)
            webhook_secret: {env: HOOK_SECRET}
        """.write(toFile: directory + "/devflow-server.yml", atomically: true, encoding: .utf8)

        var processes: [Process] = []
        defer { for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func start(_ host: Host, _ arguments: [String]) throws -> Process {
            let command = host.wrap(
                [ServerProcessTests.devflow] + arguments + [
                    "--config", directory + "/devflow-server.yml", "--db", cluster.url(host: host.gateway),
                ])
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
            process.environment = [
                "HOOK_SECRET": secret, "MARKS": directory + "/marks", "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin",
                "HOME": directory,
            ]
            let log = "\(directory)/\(host.name)-\(processes.count).log"
            FileManager.default.createFile(atPath: log, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
            processes.append(process)
            return process
        }
        _ = try start(server, ["serve"])
        let base = "http://\(server.address):\(port)"
        do {
            try await Self.until(120, "the server to answer on \(base)") {
                (try? await Self.get(base + "/healthz")) == 200
            }
        } catch {
            let log = (try? String(contentsOfFile: "\(directory)/\(server.name)-0.log", encoding: .utf8)) ?? ""
            throw FixtureError("\(error); the server's log ends:\n\(log.suffix(2000))")
        }
        let workerA = try start(first, ["worker", "--data", directory + "/w1", "--slots", "1"])
        let workerB = try start(second, ["worker", "--data", directory + "/w2", "--slots", "1"])
        let store = try PostgresRunStore(url: cluster.url, connections: 2)
        try await Self.until(60, "both workers to register") { (try? store.workers(now: Date()).count) == 2 }

        let run = try await ServerProcessTests.push(
            to: base, head: try repository.git(["rev-parse", "HEAD"]), secret: secret)
        try await Self.until(60, "the second step to start") { Self.marks(directory, "second").count == 1 }
        let holder = try #require(try store.run(run)?.workerId)
        let (victim, survivor) = holder.hasPrefix(first.name + ":") ? (first, second) : (second, first)
        if hosts != nil {
            #expect(holder.hasPrefix(victim.name + ":"), "run \(run) is held by \(holder)")
            Self.killAll(in: try #require(victim.namespace))
            _ = Spawn.run(["/usr/sbin/ip", "netns", "del", try #require(victim.namespace)])
        } else {
            // One host: kill the worker process that holds the run, and its step.
            let pid = Int32(holder.split(separator: ":")[1]) ?? 0
            kill(pid, SIGKILL)
            for process in [workerA, workerB] where process.processIdentifier == pid { process.waitUntilExit() }
            _ = Spawn.run(["/usr/bin/pkill", "-KILL", "-f", "sleep 120"])
        }

        var resumed: RunRecord?
        try await Self.until(90, "the resumed run to finish") {
            resumed = try store.runs(limit: 10).first { $0.resumedFrom == run }
            return resumed?.status.isFinished == true
        }
        #expect(try store.run(run)?.status == .interrupted)
        #expect(resumed?.status == .succeeded)
        if hosts != nil { #expect(resumed?.workerId?.hasPrefix(survivor.name + ":") == true) }
        let nodes = try store.nodes(run: try #require(resumed?.id))
        #expect(nodes.first { $0.nodeId == "first" }?.status == .reused)
        #expect(nodes.first { $0.nodeId == "second" }?.status == .succeeded)
        #expect(Self.marks(directory, "first").count == 1, "the finished step ran again")
        #expect(Self.marks(directory, "second").count == 2)
        // Every finished attempt is on record once: `first` in the killed run, `second` in the resumed one; the
        // attempt the dead host cut off left its node `interrupted`.
        #expect(try store.attempts(run: run).map(\.nodeId) == ["first"])
        #expect(try store.nodes(run: run).first { $0.nodeId == "second" }?.status == .interrupted)
        #expect(try store.attempts(run: resumed!.id!).map(\.nodeId) == ["second"])
        let listed = try store.workers(now: Date())
        #expect(Set(listed.map(\.worker.host)).count == (hosts == nil ? 1 : 2))
    }

    static func get(_ url: String) async throws -> Int {
        let (_, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    static func marks(_ directory: String, _ name: String) -> [String] {
        ((try? String(contentsOfFile: "\(directory)/marks/\(name)", encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    static func until(_ seconds: Double, _ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw FixtureError("timed out after \(seconds)s waiting for \(what)")
    }
}

/// Whether this machine can start a private PostgreSQL (CI must: there a missing one fails the test).
enum PostgresInstallation {
    static var present: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/15/bin/pg_ctl")
            || ProcessInfo.processInfo.environment["CI"] == "true"
    }
}

/// Runs a short command with `posix_spawn` and `waitpid`, its output (stdout and stderr) captured in a file.
enum Spawn {
    static func run(_ argv: [String]) -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-spawn-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        var pointers = argv.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], &actions, nil, &pointers, environ) == 0 else {
            return (127, "cannot start \(argv[0])")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
