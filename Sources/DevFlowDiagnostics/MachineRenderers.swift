import Foundation

/// Renders diagnostics as JSON lines-free JSON, GitHub workflow commands and GitLab Code Quality reports.
public enum MachineRenderers {
    struct JSONDiagnostic: Encodable {
        let code: String
        let rule: String
        let severity: String
        let message: String
        let file: String
        let line: Int
        let column: Int
        let endLine: Int
        let endColumn: Int
        let labels: [JSONLabel]
        let notes: [String]
        let fixIts: [JSONFixIt]
    }

    struct JSONLabel: Encodable {
        let message: String
        let file: String
        let line: Int
        let column: Int
        let endLine: Int
        let endColumn: Int
    }

    struct JSONFixIt: Encodable {
        struct Edit: Encodable {
            let line: Int
            let column: Int
            let endLine: Int
            let endColumn: Int
            let offset: Int
            let endOffset: Int
            let replacement: String
        }

        let message: String
        let edits: [Edit]
        let safe: Bool
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { preconditionFailure("diagnostics are always encodable") }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A JSON array of diagnostics with 1-based positions (end exclusive).
    public static func json(_ diagnostics: [Diagnostic]) -> String {
        encode(
            diagnostics.map { diagnostic in
                JSONDiagnostic(
                    code: diagnostic.id.code, rule: diagnostic.id.name, severity: diagnostic.severity.rawValue,
                    message: diagnostic.message,
                    file: diagnostic.span.file, line: diagnostic.span.start.line, column: diagnostic.span.start.column,
                    endLine: diagnostic.span.end.line, endColumn: diagnostic.span.end.column,
                    labels: diagnostic.labels.map {
                        JSONLabel(
                            message: $0.message, file: $0.span.file, line: $0.span.start.line,
                            column: $0.span.start.column,
                            endLine: $0.span.end.line, endColumn: $0.span.end.column)
                    },
                    notes: diagnostic.notes,
                    fixIts: diagnostic.fixIts.map { fixIt in
                        JSONFixIt(
                            message: fixIt.message,
                            edits: fixIt.edits.map {
                                JSONFixIt.Edit(
                                    line: $0.span.start.line, column: $0.span.start.column, endLine: $0.span.end.line,
                                    endColumn: $0.span.end.column, offset: $0.span.start.offset,
                                    endOffset: $0.span.end.offset,
                                    replacement: $0.replacement)
                            }, safe: fixIt.isSafe)
                    })
            })
    }

    /// GitHub Actions workflow commands (`::error file=…::message`), one per line.
    public static func github(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map { diagnostic in
            let command =
                diagnostic.severity == .error ? "error" : diagnostic.severity == .warning ? "warning" : "notice"
            let span = diagnostic.span
            let properties = [
                "file=\(escapeProperty(span.file))", "line=\(span.start.line)", "col=\(span.start.column)",
                "endLine=\(span.end.line)", "endColumn=\(span.end.column)",
                "title=\(escapeProperty("\(diagnostic.id.code) \(diagnostic.id.name)"))",
            ]
            var message = diagnostic.message
            for note in diagnostic.notes { message += "\nnote: \(note)" }
            return "::\(command) \(properties.joined(separator: ","))::\(escapeData(message))\n"
        }.joined()
    }

    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    struct GitLabIssue: Encodable {
        struct Location: Encodable {
            struct Position: Encodable {
                let line: Int
                let column: Int
            }

            struct Positions: Encodable {
                let begin: Position
                let end: Position
            }

            let path: String
            let positions: Positions
        }

        let type = "issue"
        let description: String
        let check_name: String
        let categories: [String]
        let fingerprint: String
        let severity: String
        let location: Location
    }

    /// A GitLab Code Quality report (a JSON array of issues).
    public static func gitlab(_ diagnostics: [Diagnostic], sources: [String: SourceFile]) -> String {
        encode(
            diagnostics.map { diagnostic in
                let span = diagnostic.span
                return GitLabIssue(
                    description: "\(diagnostic.id.code) \(diagnostic.message)", check_name: diagnostic.id.name,
                    categories: [diagnostic.id.name == "template-injection" ? "Security" : "Bug Risk"],
                    fingerprint: Fingerprint.of(diagnostic, sources: sources),
                    severity: diagnostic.severity == .error
                        ? "major" : diagnostic.severity == .warning ? "minor" : "info",
                    location: .init(
                        path: span.file,
                        positions: .init(
                            begin: .init(line: span.start.line, column: span.start.column),
                            end: .init(line: span.end.line, column: span.end.column))))
            })
    }
}

/// Stable fingerprints that survive unrelated edits: rule, file and the text of the flagged line.
enum Fingerprint {
    static func of(_ diagnostic: Diagnostic, sources: [String: SourceFile]) -> String {
        let line =
            sources[diagnostic.span.file]?.text(ofLine: diagnostic.span.start.line).trimmingCharacters(in: .whitespaces)
            ?? ""
        return fnv1a("\(diagnostic.id.code)|\(diagnostic.span.file)|\(line)|\(diagnostic.message)")
    }

    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
