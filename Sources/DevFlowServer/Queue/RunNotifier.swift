import DevFlowCompiler
import DevFlowForges
import DevFlowStore
import DevFlowWebhooks
import Foundation
import Logging

/// Sends a finished run to the configured chat webhooks (Slack, Teams, Discord): on failure, on recovery (a success
/// after the previous finished run of the same repository, pipeline and branch failed), or on every success, as
/// each notification's `on:` says. Each webhook is behind its own breaker; a failure to notify is logged.
struct RunNotifier: Sendable {
    let context: ServerContext
    let logger: Logger

    func notify(run id: Int64, status: RunStatus) {
        let notifications = context.settings.configuration.notifications
        guard !notifications.isEmpty, let run = try? context.store.run(id), let outcome = outcome(of: run, status)
        else { return }
        let base = context.settings.configuration.publicURL
        let message = RunNotification(
            outcome: outcome, repository: run.repository ?? run.pipeline, target: run.gitBranch ?? run.ref ?? "?",
            commit: run.gitCommit ?? "", run: Int(id), url: base.map { "\($0)/runs/\(id)" },
            summary: run.statusReason ?? "\(run.pipeline) \(status.rawValue)")
        let trigger: ServerConfiguration.NotificationTrigger =
            switch outcome {
            case .failure, .cancelled: .failure
            case .recovery: .recovery
            case .success: .success
            }
        for (index, notification) in notifications.enumerated() where notification.on.contains(trigger) {
            guard let url = context.settings.notificationURLs[index],
                let kind = NotifierKind(rawValue: notification.kind.rawValue)
            else { continue }
            let notifier = WebhookNotifier(
                kind: kind, url: url, sender: OutboundSender(gate: StoreBreakerGate(store: context.store)),
                name: "notify-\(kind.rawValue)-\(index + 1)")
            let logger = logger
            Task {
                do {
                    try await notifier.send(message)
                } catch {
                    logger.warning("notification \(index + 1) for run \(id) not sent: \(error)")
                }
            }
        }
    }

    /// Failure, recovery or success; nil for states nobody is told about.
    func outcome(of run: RunRecord, _ status: RunStatus) -> RunNotification.Outcome? {
        switch status {
        case .failed, .configError: return .failure
        case .succeeded:
            let previous = (try? context.store.runs(limit: 200))?.first { other in
                (other.id ?? 0) < (run.id ?? 0) && other.repository == run.repository && other.pipeline == run.pipeline
                    && other.gitBranch == run.gitBranch && other.status.isFinished && other.status != .skipped
                    && other.status != .interrupted
            }
            return previous.map { $0.status == .failed || $0.status == .configError } == true ? .recovery : .success
        default: return nil
        }
    }
}
