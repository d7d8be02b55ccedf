import DevFlowGraph
import DevFlowStore
import Foundation

/// The circuit-breaker state machine over a persisted `BreakerRecord`: closed → open → half-open → closed.
/// Pure functions; the store applies them inside one transaction so every process sharing the database agrees.
public enum CircuitBreaker {
    /// One call in the window.
    struct Call: Codable, Equatable {
        var at: Double
        var ok: Bool
    }

    /// A state change to record.
    public typealias Transition = (from: String, to: String, reason: String)

    /// Whether a call may go through now (and whether it is a half-open probe).
    public struct Admission: Sendable, Equatable {
        /// The call may go through.
        public var allowed: Bool
        /// It is one of the half-open probes.
        public var probe: Bool

        /// Creates an admission.
        public init(allowed: Bool, probe: Bool) {
            self.allowed = allowed
            self.probe = probe
        }
    }

    /// Decides whether a call goes through, moving open → half-open when `open_for` has passed.
    public static func admit(_ record: inout BreakerRecord, policy: CircuitBreakerPolicy, now: Date) -> (
        Admission, Transition?
    ) {
        switch record.mode {
        case "disabled": return (Admission(allowed: true, probe: false), nil)
        case "forced_open": return (Admission(allowed: false, probe: false), nil)
        default: break
        }
        var transition: Transition?
        if record.state == "open", let opened = record.openedAt,
            now.timeIntervalSince(opened) * 1000 >= Double(policy.openForMilliseconds)
        {
            transition = (
                "open", "half_open",
                "open for \(policy.openForMilliseconds / 1000)s; allowing \(policy.halfOpenCalls) probe call(s)"
            )
            record.state = "half_open"
            record.halfOpenStarted = 0
            record.halfOpenSucceeded = 0
        }
        switch record.state {
        case "closed": return (Admission(allowed: true, probe: false), transition)
        case "half_open":
            guard record.halfOpenStarted < policy.halfOpenCalls else {
                return (Admission(allowed: false, probe: false), transition)
            }
            record.halfOpenStarted += 1
            return (Admission(allowed: true, probe: true), transition)
        default: return (Admission(allowed: false, probe: false), transition)
        }
    }

    /// Records a call's result; returns the transition it caused, if any.
    public static func record(
        _ record: inout BreakerRecord, success: Bool, probe: Bool, policy: CircuitBreakerPolicy, now: Date
    ) -> Transition? {
        guard record.mode == "normal" else { return nil }
        switch record.state {
        case "half_open":
            guard probe else { return nil }
            if !success {
                record.state = "open"
                record.openedAt = now
                record.window = "[]"
                return ("half_open", "open", "a probe call failed")
            }
            record.halfOpenSucceeded += 1
            if record.halfOpenSucceeded >= policy.halfOpenCalls {
                record.state = "closed"
                record.window = "[]"
                record.openedAt = nil
                return ("half_open", "closed", "\(record.halfOpenSucceeded) probe call(s) succeeded")
            }
            return nil
        case "closed":
            var calls = (try? JSONDecoder().decode([Call].self, from: Data(record.window.utf8))) ?? []
            calls.append(Call(at: now.timeIntervalSince1970, ok: success))
            if let size = policy.windowCalls, calls.count > size { calls.removeFirst(calls.count - size) }
            if let duration = policy.windowMilliseconds {
                let oldest = now.timeIntervalSince1970 - Double(duration) / 1000
                calls.removeAll { $0.at < oldest }
            }
            record.window = String(decoding: (try? JSONEncoder().encode(calls)) ?? Data("[]".utf8), as: UTF8.self)
            let failures = calls.filter { !$0.ok }.count
            if calls.count >= policy.minimumCalls, failures * 100 >= policy.failureRatePercent * calls.count {
                record.state = "open"
                record.openedAt = now
                record.window = "[]"
                return (
                    "closed", "open",
                    "\(failures) of the last \(calls.count) calls failed (threshold \(policy.failureRatePercent)%)"
                )
            }
            return nil
        default:
            return nil
        }
    }
}
