import DevFlowDiagnostics

/// Applies fix-its to one file's bytes: the same fix offered by two diagnostics counts once; a fix whose edits
/// overlap an edit already taken (or insert at the same place) is skipped and reported, never half applied.
public struct FixApplier: Sendable {
    /// A fix that was not applied, and why.
    public struct Skipped: Sendable, Equatable {
        /// The fix.
        public var fixIt: FixIt
        /// The fix it conflicts with.
        public var conflictsWith: FixIt

        /// Creates a record of a skipped fix.
        public init(fixIt: FixIt, conflictsWith: FixIt) {
            self.fixIt = fixIt
            self.conflictsWith = conflictsWith
        }
    }

    /// What applying the fixes did.
    public struct Result: Sendable {
        /// The file after the fixes.
        public var bytes: [UInt8]
        /// The fixes applied, in file order.
        public var applied: [FixIt]
        /// The fixes skipped because they conflict with one applied.
        public var skipped: [Skipped]
        /// The edits applied, in file order (offsets into the original bytes).
        public var edits: [TextEdit]
    }

    /// Applies `fixIts` (in the order of their first edit) to `bytes`.
    public static func apply(_ fixIts: [FixIt], to bytes: [UInt8]) -> Result {
        var seen: Set<[TextEdit]> = []
        let unique = fixIts.filter { !$0.edits.isEmpty && seen.insert($0.edits).inserted }
        let ordered = unique.sorted { first($0) < first($1) }
        var taken: [(edit: TextEdit, owner: FixIt)] = []
        var applied: [FixIt] = []
        var skipped: [Skipped] = []
        for fixIt in ordered {
            let inBounds = fixIt.edits.allSatisfy {
                $0.span.start.offset >= 0 && $0.span.start.offset <= $0.span.end.offset
                    && $0.span.end.offset <= bytes.count
            }
            guard inBounds else { continue }
            if let clash = taken.first(where: { held in fixIt.edits.contains { overlaps($0, held.edit) } }) {
                skipped.append(Skipped(fixIt: fixIt, conflictsWith: clash.owner))
                continue
            }
            taken += fixIt.edits.map { ($0, fixIt) }
            applied.append(fixIt)
        }
        let edits = taken.map(\.edit).sorted { $0.span.start.offset < $1.span.start.offset }
        var result = bytes
        for edit in edits.reversed() {
            result.replaceSubrange(
                edit.span.start.offset..<edit.span.end.offset, with: Array(edit.replacement.utf8))
        }
        return Result(bytes: result, applied: applied, skipped: skipped, edits: edits)
    }

    static func first(_ fixIt: FixIt) -> Int { fixIt.edits.map(\.span.start.offset).min() ?? 0 }

    /// Two edits overlap when their ranges share a byte, or both insert at one place, or one inserts inside the other.
    static func overlaps(_ a: TextEdit, _ b: TextEdit) -> Bool {
        let (aStart, aEnd, bStart, bEnd) = (
            a.span.start.offset, a.span.end.offset, b.span.start.offset, b.span.end.offset
        )
        if aStart == aEnd || bStart == bEnd {
            let (point, start, end) = aStart == aEnd ? (aStart, bStart, bEnd) : (bStart, aStart, aEnd)
            return start == end ? point == start : point > start && point < end
        }
        return aStart < bEnd && bStart < aEnd
    }
}
