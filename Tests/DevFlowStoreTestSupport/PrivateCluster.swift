import DevFlowStore
import Foundation

/// A PostgreSQL cluster of the test's own (scripts/postgres.sh on a free port), so that restarting it disturbs no
/// other test.
public struct PrivateCluster {
    /// Its data directory.
    public let directory: String
    /// Its port.
    public let port: Int
    /// Addresses it listens on beyond 127.0.0.1 (`*` for every interface, as the multi-host test needs).
    let listen: String
    /// A network (CIDR) whose clients it trusts without a password, besides the loopback.
    let trustedNetwork: String?
    /// Its URL on the loopback.
    public var url: String { url(host: "127.0.0.1") }

    /// Its URL at `host` (one of its addresses).
    public func url(host: String) -> String { "postgres://postgres@\(host):\(port)/postgres" }

    /// Starts a new cluster on a free port; `listen` and `trustedNetwork` open it to other network namespaces.
    public init(listen: String = "127.0.0.1", trustedNetwork: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-pg-\(UUID())").path
        port = try Self.freePort()
        self.listen = listen
        self.trustedNetwork = trustedNetwork
        try script("start", directory, String(port))
    }

    /// A TCP port on 127.0.0.1 that nothing listens on (the kernel's choice for a socket bound to port 0).
    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw StoreError("cannot make a socket") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw StoreError("cannot bind a socket to 127.0.0.1:0") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops the cluster (fast: open sessions are ended) and starts it again on the same port.
    public func restart() throws {
        try script("stop", directory)
        try script("start", directory, String(port))
    }

    /// Stops the cluster and removes its directory.
    public func remove() {
        try? script("stop", directory)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs scripts/postgres.sh with `posix_spawn` and `waitpid` (Foundation's `Process` can miss the exit of a
    /// script whose grandchild, the server, lives on).
    private func script(_ arguments: String...) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let argv = ["/bin/bash", root.appendingPathComponent("scripts/postgres.sh").path] + arguments
        var pointers = argv.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        var environment = ProcessInfo.processInfo.environment
        environment["DEVFLOW_PG_LISTEN"] = listen
        environment["DEVFLOW_PG_TRUST"] = trustedNetwork
        var variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in variables { free(pointer) } }
        guard posix_spawn(&pid, "/bin/bash", &actions, nil, &pointers, &variables) == 0 else {
            throw StoreError("cannot start scripts/postgres.sh")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            throw StoreError("scripts/postgres.sh \(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
    }
}
