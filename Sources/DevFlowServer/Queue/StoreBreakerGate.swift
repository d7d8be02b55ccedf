import DevFlowForges
import DevFlowGraph
import DevFlowRunner
import DevFlowStore
import DevFlowWebhooks
import Foundation

/// Puts each outbound service (a forge's status API, a chat webhook) behind its own circuit breaker, kept in the
/// store like the pipelines' breakers (so `devflow breakers list` shows them and every process shares them).
struct StoreBreakerGate: OutboundGate {
    let store: any RunStore
    /// Opens after half of at least 4 of the last 20 calls failed, for 2 minutes; 1 probe closes it again.
    static func policy(_ name: String) -> CircuitBreakerPolicy {
        CircuitBreakerPolicy(
            name: name, failureRatePercent: 50, minimumCalls: 4, windowCalls: 20, windowMilliseconds: nil,
            openForMilliseconds: 120_000, halfOpenCalls: 1, whenOpen: "skip")
    }

    func allow(name: String) async -> Bool {
        let policy = Self.policy(name)
        var allowed = true
        _ = try? store.updateBreaker(name, now: Date(), runId: nil) { record in
            let (admission, transition) = CircuitBreaker.admit(&record, policy: policy, now: Date())
            allowed = admission.allowed
            return transition
        }
        return allowed
    }

    func record(name: String, success: Bool) async {
        let policy = Self.policy(name)
        _ = try? store.updateBreaker(name, now: Date(), runId: nil) { record in
            CircuitBreaker.record(
                &record, success: success, probe: record.state == "half_open", policy: policy, now: Date())
        }
    }
}
