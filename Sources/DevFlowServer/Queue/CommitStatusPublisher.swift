import DevFlowCompiler
import DevFlowForges
import DevFlowStore
import DevFlowWebhooks
import Foundation
import Logging

/// Posts a run's state to its forge as a commit status (pending at the start, success or failure at the end), off
/// the worker's path and behind the forge's breaker; a failure is logged, never fatal to the run. A status posted
/// `after` another waits for it, so a late "pending" never overwrites the final state.
struct CommitStatusPublisher: Sendable {
    let context: ServerContext
    let logger: Logger

    @discardableResult
    func publish(
        run: RunRecord, repository: ServerConfiguration.Repository, state: CommitState, description: String,
        after previous: Task<Void, Never>? = nil
    ) -> Task<Void, Never>? {
        guard let api = repository.statusAPI, let token = context.settings.statusTokens[repository.name],
            let sha = run.gitCommit, let id = run.id
        else { return nil }
        let forge = ForgeKind(rawValue: repository.forge.rawValue) ?? .github
        let base = context.settings.configuration.publicURL ?? "http://\(context.settings.configuration.listen)"
        let status = CommitStatus(
            repository: repository.name, sha: sha, state: state, context: "devflow/\(repository.pipeline)",
            description: description, targetURL: "\(base)/runs/\(id)")
        let gate = StoreBreakerGate(store: context.store)
        let client = Forges.statusClient(
            forge: forge, api: api, token: token, sender: OutboundSender(gate: gate))
        let logger = logger
        return Task {
            await previous?.value
            do {
                try await client.post(status)
            } catch {
                logger.warning("commit status for run \(id) not posted: \(error)")
            }
        }
    }
}
