import DevFlowDiagnostics
import DevFlowGraph
import DevFlowLint

/// Diagnostics and their fix-its as LSP data.
struct DiagnosticsJSON {
    let document: TextDocument
    let encoding: PositionEncoding

    /// The rules reference a diagnostic's code links to.
    static let rulesReference = "https://github.com/devflow/devflow/blob/main/docs/rules.md"

    /// One LSP `Diagnostic`.
    func diagnostic(_ diagnostic: Diagnostic) -> JSONValue {
        let severity: Int =
            switch diagnostic.severity {
            case .error: 1
            case .warning: 2
            case .info: 3
            }
        var message = diagnostic.message
        for note in diagnostic.notes { message += "\n\(note)" }
        var members: [String: JSONValue] = [
            "range": document.range(of: diagnostic.span, encoding: encoding), "severity": .int(severity),
            "code": .string(diagnostic.id.code), "source": .string("devflow"), "message": .string(message),
            "codeDescription": .object([
                "href": .string(
                    "\(Self.rulesReference)#\(diagnostic.id.code.lowercased())-\(diagnostic.id.name)")
            ]),
        ]
        if !diagnostic.labels.isEmpty {
            members["relatedInformation"] = .array(
                diagnostic.labels.map { label in
                    .object([
                        "location": .object([
                            "uri": .string(document.uri), "range": document.range(of: label.span, encoding: encoding),
                        ]),
                        "message": .string(label.message),
                    ])
                })
        }
        return .object(members)
    }

    /// The edits of a fix as a `WorkspaceEdit` of this document.
    func workspaceEdit(_ edits: [DevFlowDiagnostics.TextEdit]) -> JSONValue {
        .object([
            "changes": .object([
                document.uri: .array(
                    edits.map { edit in
                        .object([
                            "range": document.range(of: edit.span, encoding: encoding),
                            "newText": .string(edit.replacement),
                        ])
                    })
            ])
        ])
    }

    /// `textDocument/codeAction`: each fix-it of a diagnostic in `range` as a quick fix, and one action that applies
    /// every safe fix of the document as `devflow-lint --fix` would (conflicting fixes skipped).
    func codeActions(_ diagnostics: [Diagnostic], in range: Range<Int>, only: [String]?) -> JSONValue {
        func wanted(_ kind: String) -> Bool {
            guard let only else { return true }
            return only.contains { kind == $0 || kind.hasPrefix($0 + ".") }
        }
        var actions: [JSONValue] = []
        if wanted("quickfix") {
            for item in diagnostics where overlaps(item.span, range) {
                for fix in item.fixIts where !fix.edits.isEmpty {
                    actions.append(
                        .object([
                            "title": .string(fix.message + (fix.isSafe ? "" : " (unsafe: a guess, check it)")),
                            "kind": .string("quickfix"), "diagnostics": .array([diagnostic(item)]),
                            "isPreferred": .bool(fix.isSafe && item.fixIts.count == 1),
                            "edit": workspaceEdit(fix.edits),
                        ]))
                }
            }
        }
        if wanted("source.fixAll.devflow") {
            let safe = diagnostics.flatMap(\.fixIts).filter(\.isSafe)
            let applied = FixApplier.apply(safe, to: document.bytes)
            if !applied.edits.isEmpty {
                let count = applied.applied.count
                actions.append(
                    .object([
                        "title": .string("Apply \(count) safe devflow-lint fix\(count == 1 ? "" : "es")"),
                        "kind": .string("source.fixAll.devflow"), "edit": workspaceEdit(applied.edits),
                    ]))
            }
        }
        return .array(actions)
    }

    func overlaps(_ span: SourceSpan, _ range: Range<Int>) -> Bool {
        span.start.offset <= range.upperBound && range.lowerBound <= span.end.offset
    }
}
