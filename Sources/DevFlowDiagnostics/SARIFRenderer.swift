import Foundation

/// Renders diagnostics as SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
public struct SARIFRenderer: Sendable {
    /// The tool's name in `tool.driver.name`.
    public var toolName: String
    /// The tool's version.
    public var toolVersion: String
    /// Where the rules are documented.
    public var informationURI: String
    /// Every rule that can be reported (all are listed, so rule indexes are stable).
    public var rules: [RuleDescriptor]
    /// Sources, for fingerprints.
    public var sources: [String: SourceFile]
    /// The directory relative paths are relative to (`%SRCROOT%`); a file outside it gets an absolute `file://` URI.
    public var workingDirectory: String?

    /// Creates a renderer.
    public init(
        toolName: String, toolVersion: String, informationURI: String, rules: [RuleDescriptor],
        sources: [String: SourceFile], workingDirectory: String? = nil
    ) {
        self.workingDirectory = workingDirectory
        self.toolName = toolName
        self.toolVersion = toolVersion
        self.informationURI = informationURI
        self.rules = rules
        self.sources = sources
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .info: "note"
        }
    }

    func region(_ span: SourceSpan) -> [String: Any] {
        var endColumn = span.end.column
        if span.end.line == span.start.line && endColumn <= span.start.column { endColumn = span.start.column + 1 }
        return [
            "startLine": span.start.line, "startColumn": span.start.column,
            "endLine": max(span.end.line, span.start.line), "endColumn": endColumn,
        ]
    }

    func location(_ span: SourceSpan) -> [String: Any] {
        ["physicalLocation": ["artifactLocation": artifactLocation(span.file), "region": region(span)]]
    }

    /// A file inside the working directory as a URI relative to `%SRCROOT%`; one outside it (an absolute path
    /// elsewhere, or `../`) as an absolute `file://` URI with no base, which code scanning accepts.
    func artifactLocation(_ path: String) -> [String: Any] {
        switch Self.place(path, in: workingDirectory) {
        case .inside(let relative): ["uri": Self.encode(relative), "uriBaseId": "%SRCROOT%"]
        case .outside(let absolute): ["uri": "file://" + Self.encode(absolute)]
        }
    }

    /// Where a reported path lies.
    enum Place: Equatable {
        /// Inside the working directory, relative to it.
        case inside(String)
        /// Outside it, absolute and normalised.
        case outside(String)
    }

    /// Resolves `path` (relative to `directory`, `.` and `..` removed) and says whether it lies inside `directory`.
    static func place(_ path: String, in directory: String?) -> Place {
        let base = normalize(directory ?? "")
        if !path.hasPrefix("/"), !path.split(separator: "/").contains("..") {
            var clean = Substring(path)
            while clean.hasPrefix("./") { clean = clean.dropFirst(2) }
            return .inside(String(clean))
        }
        let absolute = normalize(path.hasPrefix("/") ? path : base + "/" + path)
        if !base.isEmpty, base != "/", absolute.hasPrefix(base + "/") {
            return .inside(String(absolute.dropFirst(base.count + 1)))
        }
        return .outside(absolute)
    }

    /// `/a/./b/../c` → `/a/c` (textually: symbolic links are not followed).
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                _ = parts.popLast()
                continue
            }
            parts.append(part)
        }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }

    /// Percent-encoded for a URI path.
    static func encode(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }

    /// The SARIF log as pretty JSON with sorted keys.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        let ruleIndex = Dictionary(rules.enumerated().map { ($1.id.code, $0) }, uniquingKeysWith: { a, _ in a })
        let ruleObjects: [[String: Any]] = rules.map { rule in
            [
                "id": rule.id.code, "name": rule.id.name,
                "shortDescription": ["text": rule.summary],
                "fullDescription": ["text": Self.plain(rule.explanation)],
                "help": ["text": Self.plain(rule.explanation), "markdown": rule.explanation],
                "helpUri": "\(informationURI)#\(rule.id.code.lowercased())-\(rule.id.name)",
                "defaultConfiguration": ["level": Self.level(rule.defaultSeverity)],
                "properties": ["tags": [rule.id.name == "template-injection" ? "security" : "correctness"]],
            ]
        }
        var counts: [String: Int] = [:]
        let results: [[String: Any]] = diagnostics.map { diagnostic in
            var result: [String: Any] = [
                "ruleId": diagnostic.id.code,
                "level": Self.level(diagnostic.severity),
                "message": ["text": diagnostic.message + diagnostic.notes.map { "\nnote: \($0)" }.joined()],
                "locations": [location(diagnostic.span)],
            ]
            if let index = ruleIndex[diagnostic.id.code] { result["ruleIndex"] = index }
            let base = Fingerprint.of(diagnostic, sources: sources)
            counts[base, default: 0] += 1
            result["partialFingerprints"] = ["primaryLocationLineHash": "\(base):\(counts[base]!)"]
            if !diagnostic.labels.isEmpty {
                result["relatedLocations"] = diagnostic.labels.enumerated().map { index, label -> [String: Any] in
                    var related = location(label.span)
                    related["id"] = index + 1
                    related["message"] = ["text": label.message]
                    return related
                }
            }
            if !diagnostic.fixIts.isEmpty {
                result["fixes"] = diagnostic.fixIts.map { fixIt -> [String: Any] in
                    [
                        "description": ["text": fixIt.message],
                        "artifactChanges": [
                            [
                                "artifactLocation": artifactLocation(diagnostic.span.file),
                                "replacements": fixIt.edits.map { edit -> [String: Any] in
                                    [
                                        "deletedRegion": [
                                            "startLine": edit.span.start.line, "startColumn": edit.span.start.column,
                                            "endLine": edit.span.end.line, "endColumn": edit.span.end.column,
                                        ],
                                        "insertedContent": ["text": edit.replacement],
                                    ]
                                },
                            ]
                        ],
                    ]
                }
            }
            return result
        }
        let log: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                [
                    "tool": [
                        "driver": [
                            "name": toolName, "version": toolVersion, "semanticVersion": toolVersion,
                            "informationUri": informationURI, "rules": ruleObjects,
                        ]
                    ],
                    "originalUriBaseIds": ["%SRCROOT%": ["description": ["text": "the repository root"]]],
                    "columnKind": "unicodeCodePoints",
                    "results": results,
                ]
            ],
        ]
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else {
            preconditionFailure("SARIF log is always serialisable")
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Markdown to plain text for SARIF `text` fields: code fences and backslash line joins removed.
    static func plain(_ markdown: String) -> String {
        markdown.replacingOccurrences(of: "```yaml\n", with: "").replacingOccurrences(of: "```\n", with: "")
            .replacingOccurrences(of: "```", with: "")
    }
}
