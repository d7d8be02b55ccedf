import DevFlowProcess
import DevFlowStepIO
import DevFlowTestSupport
import Foundation
import Testing

@testable import DevFlowRunner

/// The fork server of built-in agents, `devflow agent-child --serve`, driven directly: each call runs in a fresh
/// forked process with the call's environment and files; a fault in it, its timeout and a cancel end that call and
/// not the server; a server that dies takes its running call with it and the client says so.
@Suite(
    .serialized,
    .enabled(if: devflowIsBuilt))
struct AgentForkServerTests {
    /// A workspace with one clean file and an agent context for security-guardian on it.
    static func workspace() throws -> (directory: String, context: String) {
        let directory = NSTemporaryDirectory() + "devflow-fork-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "let greeting = \"hello\"\n".write(toFile: "\(directory)/main.swift", atomically: true, encoding: .utf8)
        let context = """
            {"version":1,"run":{"node":"scan"},"event":{"kind":"manual"},"workspace":"\(directory)",\
            "inputs":{"scope":"all"},"agent":"security-guardian"}
            """
        try context.write(toFile: "\(directory)/ctx.json", atomically: true, encoding: .utf8)
        return (directory, "\(directory)/ctx.json")
    }

    static func call(_ context: String, in directory: String, fault: String? = nil, timeout: Duration? = nil)
        -> ForkServerCall
    {
        var environment = ["PATH": "/usr/bin:/bin", "DEVFLOW_WORKSPACE": directory]
        if let fault { environment["DEVFLOW_AGENT_FAULT"] = fault }
        return ForkServerCall(
            arguments: [context], environment: environment, workingDirectory: directory,
            stdoutPath: "\(directory)/out", stderrPath: "\(directory)/err", memoryLimit: 512 << 20, timeout: timeout,
            killGrace: .milliseconds(200))
    }

    static func server() throws -> ForkServerClient {
        try ForkServerClient.start(
            executable: builtDevflow, arguments: ChildCall.serverArguments, environment: ChildCall.serverEnvironment()
        ).get()
    }

    /// A workspace and a server for one test; `end` removes both.
    static func session() throws -> (directory: String, context: String, server: ForkServerClient) {
        let (directory, context) = try workspace()
        return (directory, context, try server())
    }

    static func end(_ directory: String, _ server: ForkServerClient) {
        server.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    @Test("calls run one after another in forked processes of one server, each answering the agent protocol")
    func healthyCalls() throws {
        let (directory, context, server) = try Self.session()
        defer { Self.end(directory, server) }
        var pids: Set<pid_t> = []
        for _ in 0..<3 {
            let outcome = try #require(server.call(Self.call(context, in: directory)) { pids.insert($0.pid) }.outcome)
            #expect(outcome.exitCode == 0 && outcome.signal == nil && !outcome.timedOut && !outcome.cancelled)
            let answer = AgentAnswer.read(Self.text("\(directory)/out"))
            guard case .success(let read) = answer else {
                Issue.record("not an answer: \(Self.text("\(directory)/out"))")
                return
            }
            #expect(read.status == "success")
        }
        #expect(pids.count == 3 && !pids.contains(server.pid), "each call is a process of its own")
        #expect(server.isUsable)
    }

    @Test("a call killed by SIGKILL, one that traps and one past its memory limit end alone; the server goes on")
    func faults() throws {
        let (directory, context, server) = try Self.session()
        defer { Self.end(directory, server) }
        let outcome = try #require(server.call(Self.call(context, in: directory, fault: "sigkill")).outcome)
        #expect(outcome.signal == SIGKILL)
        #expect(Self.text("\(directory)/err").contains("DEVFLOW_AGENT_FAULT=sigkill (a test fault)"))
        for fault in ["crash", "allocate"] {
            let ended = try #require(server.call(Self.call(context, in: directory, fault: fault)).outcome)
            #expect(ended.signal != nil && ended.signal != SIGKILL, "\(fault): \(ended)")
        }
        #expect(Self.text("\(directory)/err").contains("out of memory after"))
        let after = try #require(server.call(Self.call(context, in: directory)).outcome)
        #expect(after.exitCode == 0)
    }

    @Test("a hanging call is stopped at its timeout (SIGTERM to its group), and a cancel stops another")
    func timeoutAndCancel() throws {
        let (directory, context, server) = try Self.session()
        defer { Self.end(directory, server) }
        let outcome = try #require(
            server.call(Self.call(context, in: directory, fault: "hang", timeout: .milliseconds(300))).outcome)
        #expect(outcome.timedOut && !outcome.cancelled && outcome.signal == SIGTERM)
        #expect(outcome.duration >= .milliseconds(300) && outcome.duration < .seconds(5))
        let stopped = try #require(
            server.call(Self.call(context, in: directory, fault: "hang")) { running in
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { running.cancel(graceful: true) }
            }.outcome)
        #expect(stopped.cancelled && !stopped.timedOut && stopped.signal == SIGTERM)
    }

    @Test("a working directory that does not exist is exit 127 with the reason on stderr")
    func missingDirectory() throws {
        let (directory, context, server) = try Self.session()
        defer { Self.end(directory, server) }
        var call = Self.call(context, in: directory)
        call.workingDirectory = "\(directory)/missing"
        let outcome = try #require(server.call(call).outcome)
        #expect(outcome.exitCode == 127)
        #expect(Self.text("\(directory)/err").contains("cannot change to the working directory '\(directory)/missing'"))
    }

    @Test("a server killed mid-call is a lost call; its forked process dies with it; later calls are unreachable")
    func serverKilled() throws {
        let (directory, context, server) = try Self.session()
        defer { Self.end(directory, server) }
        var child: pid_t = 0
        let result = server.call(Self.call(context, in: directory, fault: "hang")) { running in
            child = running.pid
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { kill(server.pid, SIGKILL) }
        }
        #expect(result == .lost)
        #expect(!server.isUsable)
        #expect(server.call(Self.call(context, in: directory)) == .unreachable)
        // The parent-death signal kills the forked process; it is gone or a zombie waiting for init.
        #expect(Self.gone(child), "the forked process \(child) outlived its server")
    }

    @Test("a server whose runner is gone (its socket closed) ends by itself, idle or during a call")
    func endsWhenTheRunnerIsGone() throws {
        let (directory, context) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let idle = try Self.server()
        #expect(idle.call(Self.call(context, in: directory)).outcome?.exitCode == 0)
        #expect(idle.disconnect(), "an idle server did not end when its socket closed")
        let busy = try Self.server()
        var child: pid_t = 0
        let ended = Flag()
        let result = busy.call(Self.call(context, in: directory, fault: "hang")) { running in
            child = running.pid
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) {
                if busy.disconnect(patience: .seconds(2)) { ended.set() }
            }
        }
        #expect(result == .lost)
        for _ in 0..<300 where !ended.value { usleep(10_000) }
        #expect(ended.value, "a server running a call did not end when its socket closed")
        #expect(Self.gone(child), "the call's process \(child) outlived its server")
    }

    @Test("a server that stops answering (SIGSTOP) is killed after the call's timeout, grace and margin")
    func stuckServer() throws {
        let (directory, context, server) = try Self.session()
        defer { Self.end(directory, server) }
        let start = ContinuousClock.now
        let result = server.call(Self.call(context, in: directory, fault: "hang", timeout: .milliseconds(200))) {
            _ in kill(server.pid, SIGSTOP)
        }
        let waited = ContinuousClock.now - start
        #expect(result == .unresponsive)
        #expect(!server.isUsable)
        #expect(waited >= .milliseconds(400) + ForkServerClient.responseMargin && waited < .seconds(10))
    }

    /// Whether `pid` is gone (or a zombie waiting for init to reap it), waiting up to 2 s.
    static func gone(_ pid: pid_t) -> Bool {
        for _ in 0..<200 {
            let state = Self.text("/proc/\(pid)/stat").split(separator: " ").dropFirst(2).first
            if state == nil || state == "Z" { return true }
            usleep(10_000)
        }
        return false
    }

    @Test("the pool gives an idle server back for the next call and replaces a dead one")
    func pool() throws {
        let (directory, context) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pool = ForkServerPool(idleLimit: 2)
        defer { pool.closeAll() }
        func serverPid() throws -> pid_t {
            try pool.withServer(
                executable: builtDevflow, arguments: ChildCall.serverArguments,
                environment: ChildCall.serverEnvironment()
            ) { server in
                #expect(server.call(Self.call(context, in: directory)) != .lost)
                return server.pid
            }.get()
        }
        let first = try serverPid()
        #expect(try serverPid() == first)
        #expect(pool.idleCount == 1)
        kill(first, SIGKILL)
        usleep(100_000)
        let replaced = try serverPid()
        #expect(replaced != first)
    }
}

extension ForkServerClient.CallResult {
    /// How the call's process ended, when it ran.
    var outcome: ProcessOutcome? {
        if case .ended(let outcome) = self { return outcome }
        return nil
    }
}

/// A flag set from another thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false

    var value: Bool { lock.withLock { isSet } }

    func set() { lock.withLock { isSet = true } }
}
