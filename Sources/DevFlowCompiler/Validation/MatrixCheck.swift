import DevFlowDiagnostics

/// Matrix include/exclude entries must be consistent, and expansion must stay under the documented limits.
enum MatrixCheck: PipelineCheck {
    /// Legs per step, and nodes per pipeline, beyond which compilation fails.
    static let maximumLegs = 256
    /// Nodes per pipeline.
    static let maximumNodes = 10_000

    /// A matrix expands past the limit.
    static let tooLarge = RuleDescriptor(
        code: "DF018", name: "matrix-too-large", severity: .error,
        summary: "a matrix expands to more legs than the limit",
        explanation: """
            A matrix step expands to at most 256 legs, and a pipeline to at most 10,000 nodes. Beyond \
            that compilation fails rather than silently dropping legs. The message gives the count.

            ```yaml
            matrix:
              a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
              b: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
              c: [1, 2, 3]          # DF018: 300 legs, over the limit of 256
            ```
            """)

    static let rules = [InvalidMatrixRule.descriptor, tooLarge]

    static func check(_ context: CheckContext, into diagnostics: inout [Diagnostic]) {
        var total = 0
        for step in context.pipeline.steps {
            guard let matrix = step.matrix else {
                total += 1
                continue
            }
            let dimensions = Dictionary(matrix.dimensions.map { ($0.name.value, $0) }, uniquingKeysWith: { a, _ in a })
            for entry in matrix.exclude {
                for (key, value) in entry {
                    guard let dimension = dimensions[key.value] else {
                        let candidates = Suggestions.closest(to: key.value, among: dimensions.keys)
                        diagnostics.append(
                            InvalidMatrixRule.descriptor.diagnostic(
                                "exclude names unknown matrix dimension '\(key.value)'\(Suggestions.didYouMean(candidates))",
                                at: key.span))
                        continue
                    }
                    if !dimension.values.contains(where: { $0.value == value.value }) {
                        let candidates = Suggestions.closest(to: value.value, among: dimension.values.map(\.value))
                        diagnostics.append(
                            InvalidMatrixRule.descriptor.diagnostic(
                                "exclude value '\(value.value)' is not a value of matrix dimension '\(key.value)'\(Suggestions.didYouMean(candidates))",
                                at: value.span,
                                labels: [DiagnosticLabel("'\(key.value)' defined here", at: dimension.name.span)]))
                    }
                }
            }
            let legs = MatrixExpansion.legs(of: matrix)
            for (index, entry) in matrix.include.enumerated() where !legs.includeMatched[index] {
                let missing = matrix.dimensions.map(\.name.value).filter { name in
                    !entry.contains { $0.key.value == name }
                }
                if !missing.isEmpty, let first = entry.first {
                    diagnostics.append(
                        InvalidMatrixRule.descriptor.diagnostic(
                            "include entry matches no leg and does not give \(Suggestions.list(missing)), so it cannot add a leg",
                            at: first.key.span,
                            notes: [
                                "an include entry either extends legs whose values it matches, or adds a leg giving every dimension"
                            ]))
                }
            }
            if legs.combinations.isEmpty && legs.count == 0 && !matrix.dimensions.isEmpty
                && matrix.dimensions.allSatisfy({ !$0.values.isEmpty })
            {
                diagnostics.append(
                    InvalidMatrixRule.descriptor.diagnostic(
                        "exclude removes every leg of the matrix of step '\(step.id.value)'", at: matrix.span))
            }
            if legs.count > maximumLegs {
                let message =
                    legs.combinations.isEmpty
                    ? "matrix of step '\(step.id.value)' has \(legs.count) combinations before include and exclude, over the limit of \(maximumLegs * 4)"
                    : "matrix of step '\(step.id.value)' expands to \(legs.count) legs, over the limit of \(maximumLegs)"
                let note =
                    legs.combinations.isEmpty
                    ? "split the step into several with fewer dimension values"
                    : "split the step, or exclude combinations you do not need"
                diagnostics.append(tooLarge.diagnostic(message, at: matrix.span, notes: [note]))
            }
            total += max(1, min(legs.count, maximumLegs + 1))
        }
        if total > maximumNodes, let first = context.pipeline.steps.first {
            diagnostics.append(
                tooLarge.diagnostic(
                    "the pipeline expands to \(total) nodes, over the limit of \(maximumNodes)", at: first.id.span))
        }
    }
}
