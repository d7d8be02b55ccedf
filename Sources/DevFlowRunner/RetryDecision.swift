import DevFlowGraph

/// Decides whether a failed attempt is retried, and after how long.
public enum RetryDecision {
    /// Another attempt after `delay` seconds, and why.
    public struct Retry: Sendable, Equatable {
        /// Seconds to wait.
        public var delay: Double
        /// The condition that matched (`exit:75`, `timeout`…).
        public var reason: String
    }

    /// The retry to make after attempt `number` ended with `outcome`, or nil. Cancellation is never retried; the
    /// total deadline (from the first attempt's start, `elapsed` seconds ago) is never exceeded.
    public static func next(
        after outcome: AttemptOutcome, attempt number: Int, elapsed: Double, policy: RetryPolicy,
        jitter: any JitterSource
    ) -> Retry? {
        guard number < policy.attempts else { return nil }
        guard let reason = matchingCondition(outcome, conditions: policy.retryOn) else { return nil }
        var delay = backoff(attempt: number, policy: policy.backoff, jitter: jitter)
        if let retryAfter = outcome.retryAfter { delay = max(delay, retryAfter) }
        if let deadline = policy.deadlineMilliseconds, (elapsed + delay) * 1000 >= Double(deadline) { return nil }
        return Retry(delay: delay, reason: reason)
    }

    /// The condition of `conditions` that `outcome` satisfies, if any.
    public static func matchingCondition(_ outcome: AttemptOutcome, conditions: [String]) -> String? {
        switch outcome.kind {
        case .succeeded, .cancelled, .breakerOpen: return nil
        default: break
        }
        for condition in conditions {
            switch condition {
            case "failure" where outcome.kind == .failed || outcome.kind == .error: return condition
            case "timeout" where outcome.kind == .timedOut: return condition
            default:
                let parts = condition.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                switch parts[0] {
                case "exit": if let code = Int32(parts[1]), outcome.exitCode == code { return condition }
                case "signal":
                    if let signal = outcome.signal, signalNumber(parts[1]) == signal { return condition }
                case "agent": if outcome.agentErrorKind == parts[1] { return condition }
                default: continue
                }
            }
        }
        return nil
    }

    /// The wait before attempt `number + 1`: `initial × factor^(number-1)`, capped, with jitter.
    public static func backoff(attempt number: Int, policy: RetryPolicy.Backoff, jitter: any JitterSource) -> Double {
        let base = Double(policy.initialMilliseconds) / 1000 * pow(policy.factor, Double(number - 1))
        let capped = min(base, Double(policy.maximumMilliseconds) / 1000)
        switch policy.jitter {
        case "none": return capped
        case "equal": return capped / 2 + jitter.unit() * capped / 2
        default: return jitter.unit() * capped
        }
    }

    static func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 && result < 1e12 {
            result *= base
            remaining -= 1
        }
        return result
    }

    /// `KILL` / `SIGKILL` / `9` → 9.
    public static func signalNumber(_ text: String) -> Int32? {
        if let number = Int32(text) { return number }
        let name = text.uppercased().hasPrefix("SIG") ? String(text.uppercased().dropFirst(3)) : text.uppercased()
        let table: [String: Int32] = [
            "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7, "FPE": 8, "KILL": 9, "USR1": 10,
            "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
        ]
        return table[name]
    }
}
