import DevFlowGraph
import DevFlowRunner
import Foundation

extension ConsoleObserver {
    /// One event as compact JSON with sorted keys. The three events every step sends are written straight into
    /// the text (no dictionary per event, which cost about 25 µs a step on the 1,000-step chain); the rest go
    /// through `JSONValue`.
    static func json(_ event: RunEvent) -> String {
        var out = "{"
        func key(_ name: String, first: Bool = false) {
            if !first { out += "," }
            out += "\"" + name + "\":"
        }
        func string(_ name: String, _ value: String, first: Bool = false) {
            key(name, first: first)
            JSONValue.writeQuoted(value, into: &out)
        }
        func number(_ name: String, _ value: Double) {
            key(name)
            out += JSONValue.format(value)
        }
        switch event {
        case .attemptStarted(let node, let attempt):
            key("attempt", first: true)
            out += String(attempt)
            string("event", "attempt_started")
            string("node", node)
        case .attemptFinished(
            let node, let attempt, let outcome, let exitCode, let signal, let seconds, let retryIn, let reason):
            key("attempt", first: true)
            out += String(attempt)
            string("event", "attempt_finished")
            if let exitCode { number("exit_code", Double(exitCode)) }
            string("node", node)
            string("outcome", outcome)
            if let reason { string("reason", reason) }
            if let retryIn { number("retry_in", retryIn) }
            number("seconds", seconds)
            if let signal { number("signal", Double(signal)) }
        case .nodeFinished(let node, let status, let reason):
            string("event", "node_finished", first: true)
            string("node", node)
            if let reason { string("reason", reason) }
            string("status", status.rawValue)
        default: return generalJSON(event)
        }
        return out + "}"
    }

    /// The other events, through `JSONValue` (sorted keys, compact).
    static func generalJSON(_ event: RunEvent) -> String {
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
            object = ["event": .string("node_finished"), "node": .string(node), "status": .string(status.rawValue)]
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
