import Foundation
import GRDB

/// A finished node as the store commits it: the node's final row, its outputs, the variables it exports
/// (`$DEVFLOW_ENV`) and its last attempt, with dates
/// already in the stored text form, so that the same values go to SQLite and to the journal.
struct NodeCommit: Sendable, Equatable {
    var node: NodeRecord
    var outputs: [String: String]
    var environment: [String: String] = [:]
    var attempt: AttemptRecord?

    /// Applies the commit; idempotent (a replayed attempt is ignored, the node row and outputs are overwritten).
    /// Returns the run's takeover, and changes nothing, when it was taken over: a commit that reached the journal
    /// after the rescue is dropped, not merged (the rescue replays the journal before it marks the run).
    @discardableResult
    func apply(in db: Database) throws -> Takeover? {
        if let takeover = try SQLiteRunStore.takeover(of: node.runId, in: db) { return takeover }
        // A replayed attempt that SQLite already has is left as it is.
        if let attempt { try SQLiteRunStore.insert(attempt, in: db, ignoringDuplicate: true) }
        // Nodes are inserted as pending when the run starts; an update is the common case.
        let update = try db.cachedStatement(
            sql: """
                UPDATE node SET status = ?, reason = ?, attempts = ?, startedAt = ?, finishedAt = ?, fingerprint = ?,
                  allowedFailure = ?, summary = ? WHERE runId = ? AND nodeId = ?
                """)
        try update.execute(arguments: [
            node.status, node.reason, node.attempts, StoredDate.text(node.startedAt), StoredDate.text(node.finishedAt),
            node.fingerprint, node.allowedFailure, node.summary, node.runId, node.nodeId,
        ])
        if db.changesCount == 0 { try node.insert(db) }
        if !outputs.isEmpty {
            let insert = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO output (runId, nodeId, name, value) VALUES (?, ?, ?, ?)")
            for (name, value) in outputs.sorted(by: { $0.key < $1.key }) {
                try insert.execute(arguments: [node.runId, node.nodeId, name, value])
            }
        }
        if !environment.isEmpty {
            let insert = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO exportedVariable (runId, nodeId, name, value) VALUES (?, ?, ?, ?)")
            for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
                try insert.execute(arguments: [node.runId, node.nodeId, name, value])
            }
        }
        return nil
    }

    /// One journal line: a JSON object written by hand (no encoder on the per-step path), ending in a newline.
    var line: String {
        var text = "{\"node\":["
        text += JournalText.join([
            String(node.runId), JournalText.quote(node.nodeId), JournalText.quote(node.status.rawValue),
            JournalText.quote(node.reason), String(node.attempts), JournalText.date(node.startedAt),
            JournalText.date(node.finishedAt), JournalText.quote(node.fingerprint), node.allowedFailure ? "1" : "0",
        ])
        text += "],\"outputs\":" + JournalText.object(outputs)
        // Written only when there is something, so lines stay as short as before for most nodes.
        if !environment.isEmpty { text += ",\"environment\":" + JournalText.object(environment) }
        if let summary = node.summary { text += ",\"summary\":" + JournalText.quote(summary) }
        text += ",\"attempt\":"
        if let attempt {
            text += "["
            text += JournalText.join([
                String(attempt.runId), JournalText.quote(attempt.nodeId), String(attempt.number),
                JournalText.quote(attempt.status.rawValue), attempt.exitCode.map(String.init) ?? "null",
                attempt.signal.map(String.init) ?? "null", JournalText.date(attempt.startedAt),
                JournalText.date(attempt.finishedAt), String(attempt.durationMs),
                JournalText.quote(attempt.retryReason),
                JournalText.quote(attempt.error),
            ])
            text += "]"
        } else {
            text += "null"
        }
        return text + "}\n"
    }

    /// Reads a journal line back; nil for a torn or foreign line.
    init?(line: Substring) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let node = object["node"] as? [Any], node.count == 9
        else { return nil }
        func string(_ value: Any) -> String? { value as? String }
        func integer(_ value: Any) -> Int? { (value as? NSNumber)?.intValue }
        // Half a microsecond up, so that the stored text (milliseconds, rounded down) comes out the same.
        func date(_ value: Any) -> Date? {
            (value as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue / 1000 + 0.000_000_5) }
        }
        guard let runId = integer(node[0]), let nodeId = string(node[1]),
            let status = string(node[2]).flatMap(NodeStatus.init(rawValue:)),
            let attempts = integer(node[4]), let allowed = integer(node[8])
        else { return nil }
        self.node = NodeRecord(
            runId: Int64(runId), nodeId: nodeId, status: status, reason: string(node[3]), attempts: attempts,
            startedAt: date(node[5]), finishedAt: date(node[6]), fingerprint: string(node[7]),
            allowedFailure: allowed != 0, summary: object["summary"] as? String)
        outputs = (object["outputs"] as? [String: String]) ?? [:]
        environment = (object["environment"] as? [String: String]) ?? [:]
        if let values = object["attempt"] as? [Any] {
            guard values.count == 11, let runId = integer(values[0]), let nodeId = string(values[1]),
                let number = integer(values[2]), let status = string(values[3]).flatMap(AttemptStatus.init(rawValue:)),
                let durationMs = integer(values[8])
            else { return nil }
            attempt = AttemptRecord(
                id: nil, runId: Int64(runId), nodeId: nodeId, number: number, status: status,
                exitCode: integer(values[4]).map(Int32.init), signal: integer(values[5]).map(Int32.init),
                startedAt: date(values[6]) ?? Date(timeIntervalSince1970: 0),
                finishedAt: date(values[7]) ?? Date(timeIntervalSince1970: 0), durationMs: durationMs,
                retryReason: string(values[9]), error: string(values[10]))
        } else {
            attempt = nil
        }
    }

    init(node: NodeRecord, outputs: [String: String], environment: [String: String] = [:], attempt: AttemptRecord?) {
        self.node = node
        self.outputs = outputs
        self.environment = environment
        self.attempt = attempt
    }
}

/// The write-ahead journal of finished nodes: one append-only file per run beside the database
/// (`<database>.nodes-journal/<run>.jsonl`). A finished node is durable once its line is written (one `write`
/// with `O_APPEND`: it survives the runner being killed); SQLite gets it moments later from a background commit,
/// so a step's dependents never wait for SQLite. The file goes when the run finishes; a run whose runner died
/// is replayed from it (idempotently) when runs are next checked for interruption. A torn last line is ignored:
/// that node had not finished as far as anyone knew.
///
/// Descriptors stay open between appends (a 1,000-step chain appends 1,000 times), but at most `openLimit` of them:
/// a server with 10,000 runs in flight would otherwise hold 10,000 files open. The least recently used is closed
/// first; its next append opens it again.
final class NodeJournal: @unchecked Sendable {
    let directory: String
    private let lock = NSLock()
    private var files: [Int64: (fd: Int32, used: UInt64)] = [:]
    private var clock: UInt64 = 0
    /// The most journal files kept open at once.
    static let openLimit = 64

    init(databasePath: String) { directory = databasePath + ".nodes-journal" }

    func path(run: Int64) -> String { "\(directory)/\(run).jsonl" }

    /// Appends `commit`'s line to its run's journal.
    func append(_ commit: NodeCommit) throws {
        let bytes = Array(commit.line.utf8)
        // Held through the write: another append may close the least recently used descriptor.
        lock.lock()
        defer { lock.unlock() }
        let fd = try descriptor(run: commit.node.runId)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBufferPointer { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError(
                    "cannot write the node journal \(path(run: commit.node.runId)): \(String(cString: strerror(errno)))"
                )
            }
            written += count
        }
    }

    /// The commits recorded for `run`, in order (torn or unreadable lines skipped).
    func commits(run: Int64) -> [NodeCommit] {
        guard let data = FileManager.default.contents(atPath: path(run: run)) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }  // a torn last line
        return lines.compactMap { NodeCommit(line: $0) }
    }

    /// Runs that have a journal file.
    func runs() -> [Int64] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).compactMap { name in
            name.hasSuffix(".jsonl") ? Int64(name.dropLast(6)) : nil
        }.sorted()
    }

    /// Closes and deletes `run`'s journal.
    func remove(run: Int64) {
        lock.lock()
        if let file = files.removeValue(forKey: run) { close(file.fd) }
        lock.unlock()
        unlink(path(run: run))
        rmdir(directory)  // only when no other run's journal is left in it
    }

    /// The open descriptor of `run`'s journal; the caller holds `lock`.
    private func descriptor(run: Int64) throws -> Int32 {
        clock &+= 1
        if let file = files[run] {
            files[run] = (file.fd, clock)
            return file.fd
        }
        if files.count >= Self.openLimit, let oldest = files.min(by: { $0.value.used < $1.value.used }) {
            close(oldest.value.fd)
            files[oldest.key] = nil
        }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open(path(run: run), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StoreError("cannot open the node journal \(path(run: run)): \(String(cString: strerror(errno)))")
        }
        files[run] = (fd, clock)
        return fd
    }

    /// Journal files open now.
    var openCount: Int { lock.withLock { files.count } }

    deinit { for file in files.values { close(file.fd) } }
}

/// JSON text for journal lines.
enum JournalText {
    static func join(_ parts: [String]) -> String { parts.joined(separator: ",") }

    /// A JSON object of strings, keys sorted.
    static func object(_ values: [String: String]) -> String {
        "{" + join(values.sorted { $0.key < $1.key }.map { "\(quote($0.key)):\(quote($0.value))" }) + "}"
    }

    /// Milliseconds since 1970 (exact for the stored millisecond precision), or null.
    static func date(_ date: Date?) -> String {
        guard let date else { return "null" }
        return String(Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    static func quote(_ text: String?) -> String {
        guard var text else { return "null" }
        // Most values (ids, statuses, dates) have nothing to escape: one pass over the bytes, then the text whole.
        let plain = text.withUTF8 { bytes in !bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } }
        if plain { return "\"" + text + "\"" }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let other where other.value < 0x20:
                out += String(format: "\\u%04x", other.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
