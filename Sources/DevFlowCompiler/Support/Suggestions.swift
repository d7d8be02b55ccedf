import DevFlowDiagnostics

/// Ranked "did you mean" candidates by edit distance.
public enum Suggestions {
    /// Candidates within a small edit distance of `word`, closest first (ties alphabetical), at most `limit`.
    public static func closest(to word: String, among candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let target = Array(word.lowercased().unicodeScalars)
        let threshold = max(1, min(3, (target.count + 2) / 3))
        var scored: [(distance: Int, name: String)] = []
        for candidate in candidates where candidate != word {
            let distance = editDistance(target, Array(candidate.lowercased().unicodeScalars), cap: threshold)
            if distance <= threshold { scored.append((distance, candidate)) }
        }
        scored.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.name < $1.name }
        return scored.prefix(limit).map(\.name)
    }

    /// A fix-it replacing `span` with the candidate when there is exactly one (and a span to edit), else none.
    public static func fixIts(replacing span: SourceSpan?, candidates: [String]) -> [FixIt] {
        guard let span, candidates.count == 1 else { return [] }
        return [
            FixIt(
                "replace with '\(candidates[0])'", edits: [TextEdit(span: span, replacement: candidates[0])],
                safe: false)
        ]
    }

    /// "; did you mean 'a'?" or "; did you mean 'a' or 'b'?" or "".
    public static func didYouMean(_ names: [String]) -> String {
        guard !names.isEmpty else { return "" }
        let quoted = names.map { "'\($0)'" }
        if quoted.count == 1 { return "; did you mean \(quoted[0])?" }
        return "; did you mean " + quoted.dropLast().joined(separator: ", ") + " or \(quoted.last!)?"
    }

    /// "'a', 'b' or 'c'"
    public static func list(_ names: some Sequence<String>) -> String {
        let quoted = names.map { "'\($0)'" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }

    /// Damerau-Levenshtein distance (adjacent transpositions count once), stopping early above `cap`.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], cap: Int) -> Int {
        if abs(a.count - b.count) > cap { return cap + 1 }
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > cap { return cap + 1 }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
