import DevFlowDiagnostics
import DevFlowGraph

/// Steps that can never run: a constant-false `if:`, false under every trigger, or needs that never run.
enum ReachabilityCheck {
    /// A step's condition is false whatever happens.
    static let neverRuns = RuleDescriptor(
        code: "DF024", name: "step-never-runs", severity: .warning,
        summary: "a step's if: is false under every trigger of the pipeline",
        explanation: """
            The condition is evaluated once per trigger kind the pipeline has (push, pull_request, \
            schedule, manual, hook) with everything else unknown. When it is false in every case, \
            the step is dead code: remove it or fix the condition.

            ```yaml
            on: {push: {branches: [main]}}
            steps:
              review:
                run: ./review.sh
                if: ${{ event.kind == 'pull_request' }}   # DF024: the pipeline never runs on pull requests
            ```
            """)

    /// Every need of a step is skipped, so it is skipped too.
    static let needsNeverRun = RuleDescriptor(
        code: "DF026", name: "needs-never-run", severity: .warning,
        summary: "a step needs a step that never runs, so it is skipped under every trigger",
        explanation: """
            A step whose needs are skipped is skipped too, unless its condition uses `always()` or \
            `failure()`-style status functions. When a need can never run, neither can this step.

            ```yaml
            steps:
              docs: {run: make docs, if: "false"}
              publish: {run: make publish, needs: [docs]}   # DF026
            ```
            """)

    static let rules = [neverRuns, needsNeverRun]

    static func check(_ context: CheckContext, analysis: ExpressionAnalysis, into diagnostics: inout [Diagnostic]) {
        let kinds = context.pipeline.triggers.map(kinds(of:)) ?? []
        guard !kinds.isEmpty else { return }
        let steps = context.pipeline.steps
        var dead = [Bool](repeating: false, count: steps.count)
        for (index, step) in steps.enumerated() {
            guard let condition = analysis.conditions[step.id.value] else { continue }
            let falseEverywhere = kinds.allSatisfy { kind in
                let evaluator = ExpressionEvaluator(
                    contexts: ["event": .object(["kind": .string(kind)])], missingIsUnknown: true)
                if let value = evaluator.evaluate(condition) { return !value.isTruthy }
                return false
            }
            if falseEverywhere {
                dead[index] = true
                diagnostics.append(
                    neverRuns.diagnostic(
                        "step '\(step.id.value)' never runs: its condition is false for every trigger (\(kinds.joined(separator: ", ")))",
                        at: step.condition?.span ?? step.id.span))
            }
        }
        // Propagate in topological order (ignoring cycles, reported elsewhere).
        var changed = true
        var rounds = 0
        while changed && rounds < steps.count + 1 {
            changed = false
            rounds += 1
            for (index, step) in steps.enumerated() where !dead[index] {
                let needs = context.needIndices[index]
                guard !needs.isEmpty, let deadNeed = needs.first(where: { dead[$0] }) else { continue }
                if let condition = analysis.conditions[step.id.value], usesStatusOverride(condition) { continue }
                dead[index] = true
                changed = true
                let need = step.needs.first { $0.value == steps[deadNeed].id.value }
                diagnostics.append(
                    needsNeverRun.diagnostic(
                        "step '\(step.id.value)' never runs: it needs '\(steps[deadNeed].id.value)', which never runs",
                        at: need?.span ?? step.id.span,
                        labels: [
                            DiagnosticLabel("'\(steps[deadNeed].id.value)' defined here", at: steps[deadNeed].id.span)
                        ],
                        notes: ["use 'if: ${{ always() }}' to run regardless of its needs"]))
            }
        }
    }

    static func kinds(of triggers: TriggersDecl) -> [String] {
        var kinds: [String] = []
        if triggers.push != nil { kinds.append("push") }
        if triggers.pullRequest != nil { kinds.append("pull_request") }
        if !triggers.schedule.isEmpty { kinds.append("schedule") }
        if triggers.manual != nil { kinds.append("manual") }
        if !triggers.hooks.isEmpty { kinds.append("hook") }
        return kinds
    }

    static func usesStatusOverride(_ expression: Expression) -> Bool {
        var found = false
        expression.walk { node in
            if case .call(let name, _, _) = node.kind, ["always", "failure", "cancelled"].contains(name) {
                found = true
            }
        }
        return found
    }
}
