/// Renders diagnostics for a terminal: the source line with the span underlined, labels, notes, fix-its and the id.
public struct TextRenderer: Sendable {
    /// Source files by path, to print lines from.
    public var sources: [String: SourceFile]
    /// Whether to use ANSI colours.
    public var colored: Bool

    /// Creates a renderer.
    public init(sources: [String: SourceFile], colored: Bool = false) {
        self.sources = sources
        self.colored = colored
    }

    private func paint(_ text: String, _ code: String) -> String { colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// One diagnostic, rustc style.
    public func render(_ diagnostic: Diagnostic) -> String {
        let color = diagnostic.severity == .error ? "1;31" : diagnostic.severity == .warning ? "1;33" : "1;36"
        var out =
            paint("\(diagnostic.severity.rawValue)[\(diagnostic.id.code) \(diagnostic.id.name)]", color) + ": "
            + paint(diagnostic.message, "1") + "\n"
        let span = diagnostic.span
        let width = String(max(span.start.line, diagnostic.labels.map(\.span.start.line).max() ?? 0)).count
        let gutter = String(repeating: " ", count: width)
        out += "\(gutter)--> \(span.file):\(span.start.line):\(span.start.column)\n"
        if let source = sources[span.file] {
            out += "\(gutter) |\n"
            // A label on exactly the primary span is printed beside the primary underline.
            let primaryLabel = diagnostic.labels.first { $0.span == span }?.message ?? ""
            var annotations = [(span: span, label: primaryLabel, primary: true)]
            for label in diagnostic.labels where label.span.file == span.file && label.span != span {
                annotations.append((label.span, label.message, false))
            }
            annotations.sort { $0.span.start.offset < $1.span.start.offset }
            var lastLine = 0
            for annotation in annotations {
                let line = annotation.span.start.line
                if lastLine != 0 && line > lastLine + 1 { out += "\(gutter) ...\n" }
                if line != lastLine {
                    let number = String(line)
                    out +=
                        String(repeating: " ", count: width - number.count) + number + " | "
                        + Self.expandTabs(source.text(ofLine: line)) + "\n"
                }
                lastLine = line
                out +=
                    "\(gutter) | " + underline(annotation.span, in: source, primary: annotation.primary, color: color)
                if !annotation.label.isEmpty { out += " " + annotation.label }
                out += "\n"
            }
            for label in diagnostic.labels where label.span.file != span.file {
                out +=
                    "\(gutter) = \(label.message) at \(label.span.file):\(label.span.start.line):\(label.span.start.column)\n"
            }
        }
        for note in diagnostic.notes { out += "\(gutter) = note: \(note)\n" }
        for fixIt in diagnostic.fixIts { out += "\(gutter) = fix: \(fixIt.message)\n" }
        return out
    }

    private func underline(_ span: SourceSpan, in source: SourceFile, primary: Bool, color: String) -> String {
        let lineText = source.text(ofLine: span.start.line)
        let prefix = lineText.unicodeScalars.prefix(max(0, span.start.column - 1))
        let indent = prefix.reduce(into: 0) { count, scalar in count += scalar == "\t" ? 4 : 1 }
        let lineLength = lineText.unicodeScalars.count
        let endColumn = span.end.line == span.start.line ? span.end.column : lineLength + 1
        let length = max(1, endColumn - span.start.column)
        let mark = String(repeating: primary ? "^" : "-", count: length)
        return String(repeating: " ", count: indent) + paint(mark, primary ? color : "1;34")
    }

    static func expandTabs(_ text: String) -> String { text.replacingOccurrences(of: "\t", with: "    ") }

    /// All diagnostics, then a summary line.
    public func render(_ diagnostics: [Diagnostic], fileCount: Int) -> String {
        var out = diagnostics.map { render($0) + "\n" }.joined()
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        let infos = diagnostics.count - errors - warnings
        let files = "\(fileCount) file\(fileCount == 1 ? "" : "s")"
        if diagnostics.isEmpty {
            out += "\(files) checked, no problems\n"
        } else {
            out +=
                "\(files) checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"), \(infos) note\(infos == 1 ? "" : "s")\n"
        }
        return out
    }
}
