import DevFlowGraph
import DevFlowRunner
import Foundation

/// Prints a run as it happens: prefixed plain lines, a live status line on a terminal, or JSON lines.
public final class ConsoleObserver: RunObserver, @unchecked Sendable {
    /// Output styles.
    public enum Style: Sendable {
        /// `[node] line` and a line per attempt and node.
        case plain
        /// Plain lines plus a status line redrawn on a terminal.
        case terminal
        /// One JSON object per event.
        case jsonLines
    }

    let style: Style
    let lock = NSLock()
    var running: [String: (attempt: Int, started: Date)] = [:]
    var done = 0
    var total = 0
    var failedTails: [String: [String]] = [:]
    var lastLines: [String: [String]] = [:]

    var ticker: (any DispatchSourceTimer)?

    /// Creates an observer; on a terminal the status line is redrawn twice a second so durations move.
    public init(style: Style) {
        self.style = style
        if style == .terminal {
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
            timer.setEventHandler { [weak self] in self?.redraw() }
            timer.resume()
            ticker = timer
        }
    }

    deinit { ticker?.cancel() }

    func redraw() {
        lock.lock()
        defer { lock.unlock() }
        guard !running.isEmpty else { return }
        clearStatus()
        drawStatus()
        flush()
    }

    var buffer: [UInt8] = []
    var lastFlush = Date()

    /// Output is buffered: a step printing millions of lines costs a write per 64 KiB, not per line.
    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 64 * 1024 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBufferPointer { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { if errno == EINTR { continue } else { break } }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
        lastFlush = Date()
    }

    /// Handles one event.
    public func observe(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        defer {
            // On a terminal every event but a line is shown at once; otherwise output goes out at least every 50 ms
            // and at the end of the run, a write per batch rather than per event.
            var immediate = false
            if case .runFinished = event { immediate = true }
            if style == .terminal, !{ if case .line = event { true } else { false } }() { immediate = true }
            if immediate || Date().timeIntervalSince(lastFlush) > 0.05 { flush() }
        }
        if style == .jsonLines {
            if case .line(let node, let stream, let text) = event {
                write(
                    "{\"event\":\"line\",\"node\":\(JSONValue.quote(node)),\"stream\":\"\(stream)\",\"text\":\(JSONValue.quote(text))}\n"
                )
            } else {
                write(Self.json(event) + "\n")
            }
            return
        }
        clearStatus()
        switch event {
        case .runStarted(let run, let pipeline, let nodes):
            total = nodes
            write("run \(run) of '\(pipeline)': \(nodes) node\(nodes == 1 ? "" : "s")\n")
        case .group(let run, let group, let admission):
            switch admission {
            case .admitted: break
            case .busy(let other):
                write("run \(run) waits for run \(other) of concurrency group '\(group)' to finish\n")
            case .cancelled(let reason): write("run \(run) cancelled: \(reason)\n")
            }
        case .attemptStarted(let node, let attempt):
            running[node] = (attempt, Date())
            if attempt > 1 { write("[\(node)] attempt \(attempt)\n") }
        case .line(let node, _, let text):
            if style == .plain || running.count <= 1 { write("[\(node)] \(text)\n") }
            var tail = lastLines[node] ?? []
            tail.append(text)
            if tail.count > 10 { tail.removeFirst(tail.count - 10) }
            lastLines[node] = tail
        case .attemptFinished(
            let node, let attempt, let outcome, let exitCode, let signal, let seconds, let retryIn, let reason):
            var text = "[\(node)] attempt \(attempt) \(outcome)"
            if let exitCode, outcome != "succeeded" { text += " (exit \(exitCode))" }
            if let signal { text += " (signal \(signal))" }
            text += String(format: " in %.2fs", seconds)
            if let retryIn { text += String(format: "; %@, retrying in %.2fs", reason ?? "retryable", retryIn) }
            write(text + "\n")
        case .nodeFinished(let node, let status, let reason):
            running[node] = nil
            done += 1
            write("\(Self.mark(status)) \(node) \(status)\(reason.map { ": \($0)" } ?? "")\n")
            if status == "failed", style == .terminal, let tail = lastLines[node], !tail.isEmpty {
                write(tail.map { "    │ \($0)\n" }.joined())
            }
            lastLines[node] = nil
        case .breaker(let name, let from, let to, let reason):
            write("breaker '\(name)': \(from) → \(to) (\(reason))\n")
        case .runFinished(let run, let status, let seconds):
            ticker?.cancel()
            ticker = nil
            write(String(format: "run %lld %@ in %.2fs\n", run, status.rawValue, seconds))
        }
        drawStatus()
    }

    static func mark(_ status: String) -> String {
        switch status {
        case "succeeded", "up_to_date", "reused": "✓"
        case "failed": "✗"
        case "cancelled": "■"
        default: "○"
        }
    }

    func clearStatus() { if style == .terminal { write("\u{1B}[2K\r") } }

    func drawStatus() {
        guard style == .terminal, !running.isEmpty else { return }
        let now = Date()
        let items = running.sorted { $0.key < $1.key }.prefix(4).map { node, info in
            String(
                format: "%@%@ %.0fs", node, info.attempt > 1 ? " (attempt \(info.attempt))" : "",
                now.timeIntervalSince(info.started))
        }
        write("\(done)/\(total) done · running: " + items.joined(separator: ", "))
    }

    /// One event as compact JSON with sorted keys.
    static func json(_ event: RunEvent) -> String {
        var object: [String: JSONValue] = [:]
        func number<T: BinaryInteger>(_ value: T) -> JSONValue { .number(Double(value)) }
        switch event {
        case .runStarted(let run, let pipeline, let nodes):
            object = [
                "event": .string("run_started"), "run": number(run), "pipeline": .string(pipeline),
                "nodes": number(nodes),
            ]
        case .group(let run, let group, let admission):
            object = ["event": .string("group"), "run": number(run), "group": .string(group)]
            switch admission {
            case .admitted: object["admission"] = .string("admitted")
            case .busy(let other):
                object["admission"] = .string("busy")
                object["behind"] = number(other)
            case .cancelled(let reason):
                object["admission"] = .string("cancelled")
                object["reason"] = .string(reason)
            }
        case .attemptStarted(let node, let attempt):
            object = ["event": .string("attempt_started"), "node": .string(node), "attempt": number(attempt)]
        case .line(let node, let stream, let text):
            object = [
                "event": .string("line"), "node": .string(node), "stream": .string(stream), "text": .string(text),
            ]
        case .attemptFinished(
            let node, let attempt, let outcome, let exitCode, let signal, let seconds, let retryIn, let reason):
            object = [
                "event": .string("attempt_finished"), "node": .string(node), "attempt": number(attempt),
                "outcome": .string(outcome),
                "seconds": .number(seconds),
            ]
            if let exitCode { object["exit_code"] = number(exitCode) }
            if let signal { object["signal"] = number(signal) }
            if let retryIn { object["retry_in"] = .number(retryIn) }
            if let reason { object["reason"] = .string(reason) }
        case .nodeFinished(let node, let status, let reason):
            object = ["event": .string("node_finished"), "node": .string(node), "status": .string(status)]
            if let reason { object["reason"] = .string(reason) }
        case .breaker(let name, let from, let to, let reason):
            object = [
                "event": .string("breaker"), "name": .string(name), "from": .string(from), "to": .string(to),
                "reason": .string(reason),
            ]
        case .runFinished(let run, let status, let seconds):
            object = [
                "event": .string("run_finished"), "run": number(run), "status": .string(status.rawValue),
                "seconds": .number(seconds),
            ]
        }
        return JSONValue.object(object).compactJSON
    }
}
