import DevFlowGraph
import Foundation

/// `doc-updater`: documentation that must change with the code, and generated regions of docs kept in sync with
/// the output of their command.
///
/// - `rules: [{when: [globs], require: [globs], message, severity}]`: when a changed path matches `when` and no
///   changed path matches `require`, a `docs-not-updated` finding points at the first changed line of the first
///   file that triggered the rule (checked with `scope: changes` only: "changed together" needs a change).
/// - generated regions: `<!-- devflow:generated cmd="…" -->` … `<!-- devflow:end -->` in files matching `docs`
///   (default `**/*.md`); the command runs in the workspace (`/bin/sh -c`, `timeout` seconds) and its output must
///   equal the region's text. `regions: all` (default) checks every doc, since a code change makes an untouched
///   region stale; `changed` only changed docs; `off` none. Findings: `generated-region-stale` (with the patch;
///   `fix: true` rewrites the region), `generated-region-failed`, `generated-region-unterminated`.
enum DocUpdater {
    static func run(_ request: AgentRequest) throws -> BuiltInAgentResult {
        let failOn = try request.failOn(default: .medium)
        let fix = try request.bool("fix", default: false)
        let rules = try DocRule.configured(request)
        let docs = GlobList(request.strings("docs") ?? ["**/*.md"])
        let regions = request.string("regions") ?? "all"
        guard ["all", "changed", "off"].contains(regions) else {
            throw BuiltInAgentError("regions '\(regions)' is not all, changed or off")
        }
        let timeout = try request.number("timeout", default: 60)
        let scope = try request.scope()
        var findings: [Finding] = []
        var notes = scope.skipped.map { "skipped \($0)" }
        if !scope.isWholeWorkspace {
            for rule in rules { findings += rule.check(scope) }
        } else if !rules.isEmpty {
            notes.append("rules need changes to compare; not checked with scope: all")
        }
        var documents: [String] = []
        switch regions {
        case "off": break
        case "changed" where !scope.isWholeWorkspace:
            documents = scope.changedPaths.filter { $0.kind != "deleted" && docs.matches($0.path) }.map(\.path)
        default: documents = WorkspaceFiles.list(request.workspace, matching: docs)
        }
        var rewritten = 0
        for document in documents {
            let result = try GeneratedRegions.check(
                document, workspace: request.workspace, timeout: timeout, fix: fix)
            findings += result.findings
            if result.rewritten { rewritten += 1 }
        }
        if fix { notes.append("rewrote stale regions in \(files(rewritten))") }
        return .judged(
            agent: "doc-updater", findings: findings, failOn: failOn,
            checked: "\(files(scope.changedPaths.count)) changed, \(documents.count) docs", notes: notes)
    }
}

/// One "when X changes, Y must change too" rule.
struct DocRule {
    var when: GlobList
    var require: GlobList
    var requireText: String
    var message: String?
    var severity: Finding.Severity

    static func configured(_ request: AgentRequest) throws -> [DocRule] {
        try request.objects("rules").enumerated().map { index, object in
            func globs(_ key: String) throws -> [String] {
                guard let globs = object[key]?.stringList else {
                    throw BuiltInAgentError("rules[\(index)] needs '\(key):' (a glob or a list of globs)")
                }
                return globs
            }
            let severityText = object["severity"]?.interpolated ?? "medium"
            guard let severity = Finding.Severity(rawValue: severityText) else {
                throw BuiltInAgentError("rules[\(index)].severity '\(severityText)' is not low, medium or high")
            }
            let required = try globs("require")
            return DocRule(
                when: GlobList(try globs("when")), require: GlobList(required),
                requireText: required.joined(separator: ", "), message: object["message"]?.interpolated,
                severity: severity)
        }
    }

    func check(_ scope: AgentScope) -> [Finding] {
        let changed = scope.changedPaths.map(\.path)
        guard !changed.contains(where: require.matches) else { return [] }
        let triggers = changed.filter { when.matches($0) }
        guard let first = triggers.first else { return [] }
        let line = scope.lineNumbers(of: first)?.min() ?? 1
        var text =
            "\(first)\(triggers.count > 1 ? " and \(triggers.count - 1) more file\(triggers.count == 2 ? "" : "s")" : "") changed but nothing matching \(requireText) did"
        text += message.map { ": \($0)" } ?? "; update the documentation in the same change"
        return [
            Finding(
                rule: "docs-not-updated", severity: severity, file: first, line: line, column: 1, endLine: line,
                endColumn: 1, message: text)
        ]
    }
}
