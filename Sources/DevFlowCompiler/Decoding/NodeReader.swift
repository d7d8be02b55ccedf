import DevFlowDiagnostics
import DevFlowGraph
import DevFlowSyntax

/// Typed, positioned reads of YAML nodes by the schema, collecting every problem as a diagnostic.
struct NodeReader {
    var diagnostics: [Diagnostic] = []
    var sites: [ExpressionSite] = []
    let file: String

    init(file: String) { self.file = file }

    mutating func report(
        _ rule: RuleDescriptor, _ message: String, at span: SourceSpan, labels: [DiagnosticLabel] = [],
        notes: [String] = [], fixIts: [FixIt] = []
    ) {
        diagnostics.append(rule.diagnostic(message, at: span, labels: labels, notes: notes, fixIts: fixIts))
    }

    mutating func wrongType(
        _ node: YAMLNode, expected: String, what: @autoclosure () -> String, fixIts: [FixIt] = [], notes: [String] = []
    ) {
        let found: String
        if let scalar = node.scalar {
            found = scalar.isNull ? "null" : "'\(Self.shorten(scalar.value))'"
        } else {
            found = "a \(node.kindName)"
        }
        report(
            WrongTypeRule.descriptor, "\(what()) must be \(expected), found \(found)", at: node.usageSpan, notes: notes,
            fixIts: fixIts)
    }

    static func shorten(_ text: String) -> String {
        // Any line end: "\r\n" is one Character, which a split on "\n" would not see.
        let singleLine = text.prefix { !$0.isNewline }
        if singleLine.count > 40 || singleLine.endIndex != text.endIndex { return String(singleLine.prefix(40)) + "…" }
        return text
    }

    /// The entries of a mapping with unknown keys reported (and dropped) and duplicate keys dropped.
    mutating func mapping(_ node: YAMLNode, what: @autoclosure () -> String, known: [String]) -> [(
        key: Located<String>, value: YAMLNode
    )]? {
        guard let pairs = node.pairs else {
            if node.scalar?.isNull == true { return [] }
            wrongType(node, expected: "a mapping", what: what())
            return nil
        }
        var entries: [(key: Located<String>, value: YAMLNode)] = []
        entries.reserveCapacity(pairs.count)
        var seen = Set<String>()
        for pair in pairs {
            guard let keyScalar = pair.key.scalar else {
                wrongType(pair.key, expected: "a plain key", what: "a key in \(what())")
                continue
            }
            let key = keyScalar.value
            if !known.isEmpty && !known.contains(key) {
                let candidates = Suggestions.closest(to: key, among: known)
                var fixIts: [FixIt] = []
                if let best = candidates.first,
                    candidates.count == 1
                        || Suggestions.editDistance(Array(key.unicodeScalars), Array(best.unicodeScalars), cap: 3) == 1
                {
                    fixIts.append(
                        FixIt(
                            "replace with '\(best)'", edits: [TextEdit(span: pair.key.usageSpan, replacement: best)],
                            safe: false))
                }
                let accepted =
                    candidates.isEmpty
                    ? "; expected one of \(Suggestions.list(known))" : Suggestions.didYouMean(candidates)
                report(
                    UnknownKeyRule.descriptor, "unknown key '\(Self.shorten(key))' in \(what())\(accepted)",
                    at: pair.key.usageSpan, fixIts: fixIts)
                continue
            }
            // Duplicates were reported by duplicate-key; keep the first. Large mappings use a set.
            if pairs.count <= 16 {
                if entries.contains(where: { $0.key.value == key }) { continue }
            } else if !seen.insert(key).inserted {
                continue
            }
            entries.append((Located(key, at: pair.key.usageSpan), pair.value))
        }
        return entries
    }

    /// Entries of an open mapping (ids as keys), duplicates dropped.
    mutating func openMapping(_ node: YAMLNode, what: @autoclosure () -> String) -> [(
        key: Located<String>, value: YAMLNode
    )]? {
        mapping(node, what: what(), known: [])
    }

    mutating func require(
        _ keys: [String], in entries: [(key: Located<String>, value: YAMLNode)], owner: SourceSpan,
        what: @autoclosure () -> String
    ) {
        for key in keys where !entries.contains(where: { $0.key.value == key }) {
            report(MissingKeyRule.descriptor, "\(what()) is missing required key '\(key)'", at: owner)
        }
    }

    mutating func string(_ node: YAMLNode, what: @autoclosure () -> String) -> Located<String>? {
        guard let scalar = node.scalar, !scalar.isNull || scalar.style != .plain else {
            wrongType(node, expected: "a string", what: what())
            return nil
        }
        return Located(scalar.value, at: node.usageSpan)
    }

    /// A string that may hold `${{ }}`: recorded as an expression site.
    mutating func template(_ node: YAMLNode, what: @autoclosure () -> String, site: SiteKind, key: String) -> Located<
        String
    >? {
        guard let value = string(node, what: what()) else { return nil }
        if Template.mayContainExpression(value.value) {
            sites.append(ExpressionSite(kind: site, node: node, key: key))
        }
        return value
    }

    mutating func bool(_ node: YAMLNode, what: @autoclosure () -> String) -> Bool? {
        if let scalar = node.scalar, scalar.style == .plain {
            switch scalar.value {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
            let yaml11: [String: String] = [
                "yes": "true", "Yes": "true", "YES": "true", "on": "true", "On": "true", "ON": "true", "y": "true",
                "Y": "true", "no": "false", "No": "false", "NO": "false", "off": "false", "Off": "false",
                "OFF": "false",
                "n": "false", "N": "false",
            ]
            if let meant = yaml11[scalar.value] {
                wrongType(
                    node, expected: "a boolean", what: what(),
                    fixIts: [FixIt("replace with '\(meant)'", edits: [TextEdit(span: node.span, replacement: meant)])],
                    notes: ["DevFlow reads YAML 1.2: booleans are 'true' and 'false' only; did you mean '\(meant)'?"])
                return nil
            }
        }
        if let scalar = node.scalar, scalar.style != .plain, ["true", "false"].contains(scalar.value) {
            wrongType(
                node, expected: "a boolean", what: what(),
                fixIts: [FixIt("remove the quotes", edits: [TextEdit(span: node.span, replacement: scalar.value)])],
                notes: ["a quoted value is a string; write \(scalar.value) without quotes"])
            return nil
        }
        wrongType(node, expected: "a boolean ('true' or 'false')", what: what())
        return nil
    }

    mutating func int(_ node: YAMLNode, what: @autoclosure () -> String) -> Located<Int>? {
        if let scalar = node.scalar, scalar.style == .plain, !scalar.value.isEmpty,
            scalar.value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
                || (scalar.value.hasPrefix("-")
                    && scalar.value.utf8.dropFirst().allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) && scalar.value.count > 1)
        {
            guard let value = Int(scalar.value) else {
                wrongType(node, expected: "an integer that fits in 64 bits", what: what())
                return nil
            }
            return Located(value, at: node.usageSpan)
        }
        var notes: [String] = []
        var fixIts: [FixIt] = []
        if let scalar = node.scalar, scalar.style != .plain, Int(scalar.value) != nil {
            notes.append("a quoted value is a string; write \(scalar.value) without quotes")
            fixIts.append(FixIt("remove the quotes", edits: [TextEdit(span: node.span, replacement: scalar.value)]))
        }
        wrongType(node, expected: "an integer", what: what(), fixIts: fixIts, notes: notes)
        return nil
    }

    mutating func number(_ node: YAMLNode, what: @autoclosure () -> String) -> Located<Double>? {
        if let scalar = node.scalar, scalar.style == .plain, let value = Double(scalar.value), value.isFinite {
            return Located(value, at: node.usageSpan)
        }
        wrongType(node, expected: "a number", what: what())
        return nil
    }

    mutating func duration(_ node: YAMLNode, what: @autoclosure () -> String) -> Located<Int>? {
        guard let text = string(node, what: what()) else { return nil }
        switch DurationSyntax.parse(text.value) {
        case .success(let milliseconds): return Located(milliseconds, at: text.span)
        case .failure(let error):
            var fixIts: [FixIt] = []
            var suffix = ""
            if let suggestion = DurationSyntax.suggestion(for: text.value) {
                suffix = "; did you mean '\(suggestion)'?"
                // "10 minutes" → "10m" says the same; "30" → "30s" guesses the unit.
                fixIts.append(
                    FixIt(
                        "replace with '\(suggestion)'", edits: [TextEdit(span: node.span, replacement: suggestion)],
                        safe: text.value.contains(" ")))
            }
            report(
                InvalidDurationRule.descriptor,
                "invalid duration '\(Self.shorten(text.value))' for \(what()): \(error.message)\(suffix)",
                at: text.span, notes: ["durations look like '90s', '10m', '1h30m' or '500ms'"], fixIts: fixIts)
            return nil
        }
    }

    /// A list of strings; a single scalar is accepted as a one-item list when `allowScalar`.
    mutating func stringList(_ node: YAMLNode, what: @autoclosure () -> String, allowScalar: Bool = true) -> [Located<
        String
    >] {
        if let items = node.items {
            return items.compactMap { string($0, what: "an item of \(what())") }
        }
        if allowScalar, let scalar = node.scalar, !scalar.isNull { return [Located(scalar.value, at: node.usageSpan)] }
        wrongType(node, expected: "a list of strings", what: what())
        return []
    }

    /// Validates an id against its pattern (`IDSyntax`, shared with the runner's output names).
    mutating func checkID(_ id: Located<String>, kind: String) {
        switch IDSyntax.problem(id.value) {
        case nil: return
        case .empty:
            report(InvalidIDRule.descriptor, "\(kind) id is empty", at: id.span)
        case .badStart:
            report(
                InvalidIDRule.descriptor, "\(kind) id '\(Self.shorten(id.value))' must start with a letter or '_'",
                at: id.span,
                notes: ["ids match [A-Za-z_][A-Za-z0-9_-]* so they can be used in expressions such as steps.<id>"])
        case .badCharacter(let character):
            report(
                InvalidIDRule.descriptor,
                "\(kind) id '\(Self.shorten(id.value))' contains '\(character)'; ids use letters, digits, '_' and '-'",
                at: id.span)
        case .tooLong(let count):
            report(
                InvalidIDRule.descriptor,
                "\(kind) id '\(Self.shorten(id.value))' is \(count) characters long; the limit is \(IDSyntax.maximumLength)",
                at: id.span)
        }
    }

    /// Checks `value` against a closed set, with "did you mean".
    mutating func checkValue(_ value: Located<String>, accepted: [String], what: @autoclosure () -> String) -> Bool {
        if accepted.contains(value.value) { return true }
        let candidates = Suggestions.closest(to: value.value, among: accepted)
        let fixIts = Suggestions.fixIts(replacing: value.span, candidates: candidates)
        let tail = candidates.isEmpty ? "; expected \(Suggestions.list(accepted))" : Suggestions.didYouMean(candidates)
        report(
            InvalidValueRule.descriptor, "invalid \(what()) '\(Self.shorten(value.value))'\(tail)", at: value.span,
            fixIts: fixIts)
        return false
    }

    mutating func checkGlobs(_ globs: [Located<String>], what: @autoclosure () -> String) {
        for glob in globs {
            let body = glob.value.hasPrefix("!") ? String(glob.value.dropFirst()) : glob.value
            if case .failure(let error) = Glob.compile(body) {
                report(
                    InvalidGlobRule.descriptor,
                    "invalid glob '\(Self.shorten(glob.value))' in \(what()): \(error.message)", at: glob.span)
            }
        }
    }

    /// A worker label or a list of them (`runs_on:`, a server's `labels:`), each 1 to 64 letters, digits, `.`, `_`
    /// and `-`; an invalid one is reported (DF006) and still returned, so the caller decides what to keep.
    mutating func workerLabels(_ node: YAMLNode, what: @autoclosure () -> String) -> [Located<String>] {
        let labels = stringList(node, what: what())
        for label in labels where !WorkerLabel.isValid(label.value) {
            report(
                InvalidIDRule.descriptor,
                "worker label '\(Self.shorten(label.value))' must be letters, digits, '.', '_' and '-' (at most 64), "
                    + "like 'linux' or 'x86_64'",
                at: label.span)
        }
        return labels
    }
}
