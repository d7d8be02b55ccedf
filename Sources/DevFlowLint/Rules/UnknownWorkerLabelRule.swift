import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph

/// `runs_on:` asks for a label that no worker the configuration lists has: such a run would wait forever.
public enum UnknownWorkerLabelRule {
    /// The rule's catalogue entry.
    public static let descriptor = RuleDescriptor(
        code: "DF036", name: "unknown-worker-label", severity: .warning,
        summary: "runs_on names a label no registered worker has",
        explanation: """
            A run goes only to a worker that has every label in `runs_on:`; a label no worker has \
            keeps the run queued until one registers. List your workers' labels under \
            `worker_labels:` in `.devflow-lint.yml` (`devflow workers labels --db URL` prints them); \
            every worker also has its operating system and architecture (`linux`, `x86_64`), so \
            those are always known. Without `worker_labels:` the rule is silent.

            ```yaml
            # .devflow-lint.yml: worker_labels: [gpu, arm-builder]
            runs_on: [linux, gpus]      # DF036: no registered worker has label 'gpus'
            ```
            """)

    /// Warns about each label of `pipeline.runsOn` outside `known` (plus the implicit ones).
    public static func check(_ pipeline: PipelineDecl, known: [String]) -> [Diagnostic] {
        let offered = known + WorkerLabel.implicit + ["linux", "macos", "x86_64", "aarch64", "arm64"]
        return pipeline.runsOn.filter { !offered.contains($0.value) }.map { label in
            let candidates = Suggestions.closest(to: label.value, among: known)
            return Diagnostic(
                id: descriptor.id, severity: descriptor.defaultSeverity,
                message: "no registered worker has label '\(label.value)'; a run of this pipeline would wait for one "
                    + "(workers offer \(known.map { "'\($0)'" }.joined(separator: ", ")), their system and architecture)"
                    + Suggestions.didYouMean(candidates),
                span: label.span, fixIts: Suggestions.fixIts(replacing: label.span, candidates: candidates))
        }
    }
}
