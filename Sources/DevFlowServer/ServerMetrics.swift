import DevFlowStore
import Foundation
import Metrics
import Prometheus

/// The server's Prometheus registry and the metrics it exports at `/metrics`: deliveries by forge and outcome,
/// queue depth, runs by status, run and step durations, breaker states.
public final class ServerMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry = PrometheusCollectorRegistry()

    /// Creates the registry.
    public init() {}

    /// Counts a delivery by forge and outcome (`queued`, `ignored`, `duplicate`, `rejected`).
    func delivery(forge: String, outcome: String) {
        registry.makeCounter(name: "devflow_deliveries_total", labels: [("forge", forge), ("outcome", outcome)])
            .increment()
    }

    /// Records a finished run's duration by final status.
    func runFinished(status: RunStatus, seconds: Double) {
        registry.makeDurationHistogram(
            name: "devflow_run_duration_seconds", labels: [("status", status.rawValue)],
            buckets: [.milliseconds(100), .seconds(1), .seconds(10), .seconds(60), .seconds(600), .seconds(3600)]
        ).recordSeconds(seconds)
    }

    /// Records the duration of each step of a finished run that ran, by its final status.
    func stepsFinished(_ nodes: [NodeRecord]) {
        for node in nodes {
            guard let started = node.startedAt, let finished = node.finishedAt else { continue }
            registry.makeDurationHistogram(
                name: "devflow_step_duration_seconds", labels: [("status", node.status.rawValue)],
                buckets: [
                    .milliseconds(10), .milliseconds(100), .seconds(1), .seconds(10), .seconds(60), .seconds(600),
                ]
            ).recordSeconds(finished.timeIntervalSince(started))
        }
    }

    /// Reads the gauges that describe the store (queue depth, runs by status, breaker states) and the live logs (feeds
    /// read from the store, clients following them) just before a scrape.
    func refresh(from context: ServerContext) {
        if let depth = try? context.queue.queueDepth() {
            registry.makeGauge(name: "devflow_queue_depth").set(to: Double(depth))
        }
        if let counts = try? context.queue.runCounts() {
            for status in RunStatus.allCases {
                registry.makeGauge(name: "devflow_runs", labels: [("status", status.rawValue)])
                    .set(to: Double(counts[status] ?? 0))
            }
        }
        for breaker in (try? context.store.breakers()) ?? [] {
            for state in ["closed", "open", "half_open"] {
                registry.makeGauge(
                    name: "devflow_breaker_state", labels: [("breaker", breaker.name), ("state", state)]
                )
                .set(to: breaker.state == state ? 1.0 : 0.0)
            }
        }
        let (feeds, followers) = context.logHub.load
        registry.makeGauge(name: "devflow_log_feeds").set(to: Double(feeds))
        registry.makeGauge(name: "devflow_log_followers").set(to: Double(followers))
    }

    /// The text exposition format.
    func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}

extension DurationHistogram {
    func recordSeconds(_ seconds: Double) { record(.nanoseconds(Int64(seconds * 1_000_000_000))) }
}
