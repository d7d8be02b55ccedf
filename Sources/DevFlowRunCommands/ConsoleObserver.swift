import DevFlowGraph
import DevFlowRunner
import DevFlowStore
import Foundation

/// Prints a run as it happens, in one of the `--output` modes, or as JSON lines (`--events json`).
public final class ConsoleObserver: RunObserver, @unchecked Sendable {
    /// Output styles.
    public enum Style: String, Sendable, CaseIterable {
        /// On a terminal: one line per running step (its latest output line and its duration) redrawn in place;
        /// finished steps, retries and a failed step's log tail printed above it.
        case live
        /// Every output line as `[node] line`, and a line per attempt and node (the default off a terminal).
        case stream
        /// Only what went wrong: failed attempts and steps, each failed step with its log tail, and the result.
        case errors
        /// Only failed steps and the result line.
        case quiet
        /// One JSON object per event.
        case jsonLines = "json"

        /// The style `--output` names (nil: the default, live on a terminal and stream elsewhere), or why not.
        public static func resolve(output: String?, events: String?, isTerminal: Bool) -> Result<Style, UsageError> {
            if events == "json" { return .success(.jsonLines) }
            if let events { return .failure(UsageError(message: "--events takes json, found '\(events)'")) }
            guard let output else { return .success(isTerminal ? .live : .stream) }
            guard let style = Style(rawValue: output), style != .jsonLines else {
                return .failure(
                    UsageError(message: "--output takes live, stream, errors or quiet, found '\(output)'"))
            }
            return .success(style)
        }
    }

    /// A flag given a value it does not take.
    public struct UsageError: Error, Sendable {
        /// What to say.
        public var message: String
    }

    let style: Style
    let lock = NSLock()
    var running: [String: (attempt: Int, started: Date)] = [:]
    var done = 0
    var total = 0
    /// The last lines of each running node, for the log tail of a failure.
    var lastLines: [String: [String]] = [:]
    /// What the live region shows and how many lines of it are on the screen.
    var region = LiveRegion()

    var ticker: (any DispatchSourceTimer)?

    /// How many lines of a failed step's log are printed in the live and errors styles.
    var tailLength: Int { style == .errors ? 50 : 10 }

    /// Creates an observer; in the live style the region is redrawn four times a second so durations move.
    public init(style: Style) {
        self.style = style
        if style == .live {
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
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
        write(region.erase())
        drawRegion()
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
            // Live: everything but a line is shown at once (a line waits for the next redraw). Otherwise output goes
            // out at least every 50 ms and at the end of the run, a write per batch rather than per event.
            var immediate = false
            if case .runFinished = event { immediate = true }
            if style == .live, !{ if case .line = event { true } else { false } }() { immediate = true }
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
        if case .line(let node, _, let text) = event {
            record(line: text, of: node)
            return
        }
        if style == .live { write(region.erase()) }
        print(event)
        if style == .live { drawRegion() }
    }

    /// A step's output line: printed at once when streaming, otherwise kept for the live region and the log tail.
    func record(line text: String, of node: String) {
        if style == .stream { write("[\(node)] \(text)\n") }
        if style == .live { region.latest[node] = text }
        guard style != .stream else { return }
        var tail = lastLines[node] ?? []
        tail.append(text)
        if tail.count > tailLength { tail.removeFirst(tail.count - tailLength) }
        lastLines[node] = tail
    }

    /// The permanent lines an event prints in this style.
    func print(_ event: RunEvent) {
        let everything = style == .live || style == .stream
        switch event {
        case .runStarted(let run, let pipeline, let nodes):
            total = nodes
            if style != .quiet { write("run \(run) of '\(pipeline)': \(nodes) node\(nodes == 1 ? "" : "s")\n") }
        case .group(let run, let group, let admission):
            guard style != .quiet else { return }
            switch admission {
            case .admitted: break
            case .busy(let other):
                write("run \(run) waits for run \(other) of concurrency group '\(group)' to finish\n")
            case .cancelled(let reason): write("run \(run) cancelled: \(reason)\n")
            }
        case .attemptStarted(let node, let attempt):
            running[node] = (attempt, Date())
            region.latest[node] = nil
            if attempt > 1, everything { write("[\(node)] attempt \(attempt)\n") }
        case .line: break
        case .attemptFinished(
            let node, let attempt, let outcome, let exitCode, let signal, let seconds, let retryIn, let reason):
            guard everything || (style == .errors && outcome != "succeeded") else { return }
            var text = "[\(node)] attempt \(attempt) \(outcome)"
            if let exitCode, outcome != "succeeded" { text += " (exit \(exitCode))" }
            if let signal { text += " (signal \(signal))" }
            text += String(format: " in %.2fs", seconds)
            if let retryIn { text += String(format: "; %@, retrying in %.2fs", reason ?? "retryable", retryIn) }
            write(text + "\n")
        case .nodeFinished(let node, let status, let reason):
            running[node] = nil
            region.latest[node] = nil
            done += 1
            let failed = status == .failed
            if everything || failed {
                write("\(Self.mark(status)) \(node) \(status.rawValue)\(reason.map { ": \($0)" } ?? "")\n")
            }
            if failed, style == .live || style == .errors, let tail = lastLines[node], !tail.isEmpty {
                write(tail.map { "    │ \($0)\n" }.joined())
            }
            lastLines[node] = nil
        case .breaker(let name, let from, let to, let reason):
            if style != .quiet { write("breaker '\(name)': \(from) → \(to) (\(reason))\n") }
        case .runFinished(let run, let status, let seconds):
            ticker?.cancel()
            ticker = nil
            write(String(format: "run %lld %@ in %.2fs\n", run, status.rawValue, seconds))
        }
    }

    static func mark(_ status: NodeStatus) -> String {
        switch status {
        case .succeeded, .upToDate, .reused: "✓"
        case .failed: "✗"
        case .cancelled: "■"
        case .pending, .running, .skipped, .interrupted: "○"
        }
    }

    /// Draws the live region below the permanent lines (the cursor stays at its end).
    func drawRegion() {
        guard style == .live, !running.isEmpty else { return }
        let size = TerminalSize.current()
        write(region.draw(running: running, done: done, total: total, now: Date(), size: size))
    }
}
