import DevFlowDiagnostics

/// `needs:` must name other steps that exist.
enum NeedsCheck: PipelineCheck {
    /// A step needs a step that is not defined.
    static let unknownNeed = RuleDescriptor(
        code: "DF007", name: "unknown-need", severity: .error,
        summary: "a step needs a step that is not defined",
        explanation: """
            Every id in `needs:` must be a step of the same pipeline. The message ranks the closest \
            step ids, and a fix-it replaces the id when one is clearly meant.

            ```yaml
            steps:
              build: {run: swift build}
              test: {run: swift test, needs: [biuld]}   # DF007: did you mean 'build'?
            ```
            """)

    /// A step needs itself.
    static let selfNeed = RuleDescriptor(
        code: "DF008", name: "self-need", severity: .error,
        summary: "a step lists itself in its needs",
        explanation: """
            A step cannot wait for itself: it would never start. Remove its own id from `needs:`.

            ```yaml
            steps:
              build: {run: make, needs: [build]}    # DF008
            ```
            """)

    /// A step lists the same need twice.
    static let duplicateNeed = RuleDescriptor(
        code: "DF035", name: "duplicate-need", severity: .warning,
        summary: "a step lists the same step twice in its needs",
        explanation: """
            Listing a need twice changes nothing, but usually means a different step was meant \
            (a copy-paste left over). Remove the repetition or name the step you meant.

            ```yaml
            steps:
              test: {run: swift test, needs: [build, build]}   # DF035
            ```
            """)

    static let rules = [unknownNeed, selfNeed, duplicateNeed]

    static func check(_ context: CheckContext, into diagnostics: inout [Diagnostic]) {
        let ids = context.pipeline.steps.map(\.id.value)
        for step in context.pipeline.steps {
            var seen: [String: Located<String>] = [:]
            for need in step.needs {
                if let earlier = seen[need.value] {
                    diagnostics.append(
                        duplicateNeed.diagnostic(
                            "step '\(step.id.value)' lists '\(need.value)' in its needs twice", at: need.span,
                            labels: [DiagnosticLabel("first listed here", at: earlier.span)]))
                    continue
                }
                seen[need.value] = need
                if need.value == step.id.value {
                    diagnostics.append(
                        selfNeed.diagnostic(
                            "step '\(step.id.value)' needs itself", at: need.span,
                            labels: [DiagnosticLabel("step defined here", at: step.id.span)],
                            notes: ["remove '\(need.value)' from its needs"]))
                } else if context.stepIndex[need.value] == nil {
                    let candidates = Suggestions.closest(to: need.value, among: ids.filter { $0 != step.id.value })
                    let fixIts = Suggestions.fixIts(replacing: need.span, candidates: candidates)
                    diagnostics.append(
                        unknownNeed.diagnostic(
                            "step '\(step.id.value)' needs unknown step '\(need.value)'\(Suggestions.didYouMean(candidates))",
                            at: need.span,
                            fixIts: fixIts))
                }
            }
        }
    }
}
