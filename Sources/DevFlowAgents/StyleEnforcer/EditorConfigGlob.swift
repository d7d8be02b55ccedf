/// The glob of one `.editorconfig` section name, compiled once and matched byte by byte (no regular expression),
/// as the EditorConfig specification (https://spec.editorconfig.org, "Glob Expressions") describes it:
///
/// - `*` any run of characters but `/`; `**` any run of characters; `?` one character but `/`.
/// - `[seq]` / `[!seq]` one character in (not in) `seq`, with ranges `a-z` and `\` escapes (`[\]ab]`); every other
///   character inside is literal. A bracket that holds a `/` is literal text (`ab[e/]cd.i` matches itself).
/// - `{s1,s2}` alternatives (nested, empty ones allowed); `{num1..num2}` a signed integer in the range, written
///   without leading zeros; `{single}` and `{}` are literal, and so is every brace of a glob whose braces do not
///   pair up (`{.f`, `{},b}`).
/// - `\x` the character `x` itself.
/// - A glob with a `/` is anchored to the `.editorconfig`'s directory (a leading `/` is dropped); any other glob
///   matches the file name at any depth. `**/` at the start and `/**/` match zero or more folders.
///
/// ```swift
/// EditorConfigGlob("*.{js,ts}").matches("src/x.ts")  // true
/// EditorConfigGlob("d/**/z.c").matches("d/z.c")      // true
/// EditorConfigGlob("{3..120}").matches("060")        // false
/// ```
public struct EditorConfigGlob: Sendable, Equatable {
    /// One piece of a compiled glob.
    indirect enum Node: Sendable, Equatable {
        /// These bytes exactly.
        case literal([UInt8])
        /// `*`: any bytes but `/`.
        case star
        /// `**`: any bytes.
        case starStar
        /// `**/` at the start or after a `/`: nothing, or any bytes ending in `/` (zero or more folders).
        case folders
        /// `?`: one character but `/`.
        case anyCharacter
        /// `[…]`: one character (never `/`) in or out of the set.
        case bracket(CharacterSet)
        /// `{a,b}`: one of the alternatives.
        case alternatives([[Node]])
        /// `{num1..num2}`: an integer in the range (an empty range matches nothing).
        case number(low: Int, high: Int)
    }

    /// The characters of a bracket expression: single scalars and ranges, possibly negated.
    struct CharacterSet: Sendable, Equatable {
        var negated = false
        var ranges: [ClosedRange<UInt32>] = []

        func contains(_ scalar: UInt32) -> Bool {
            if scalar == 0x2F { return false }
            return ranges.contains { $0.contains(scalar) } != negated
        }
    }

    /// The compiled pieces, matched in order against a path relative to the `.editorconfig`'s directory (or
    /// against its last component only, see `matchesLastComponent`).
    let nodes: [Node]
    /// Whether only the path's last component can match: a glob without `/` and without `**` matches no `/`
    /// (the "any depth" prefix then needs no search).
    let matchesLastComponent: Bool
    /// Whether the glob can backtrack enough to be worth remembering failed positions.
    let remembersFailures: Bool

    /// Compiles the section name `glob`.
    public init(_ glob: String) {
        var bytes = Array(glob.utf8)
        let anchored = bytes.contains(0x2F)
        if anchored, bytes.first == 0x2F { bytes.removeFirst() }
        var parser = EditorConfigGlobParser(bytes)
        let parsed = parser.parseAll()
        let crossesFolders = Self.count(in: parsed) { $0 == .starStar || $0 == .folders } > 0
        matchesLastComponent = !anchored && !crossesFolders
        nodes = anchored || matchesLastComponent ? parsed : [.folders] + parsed
        remembersFailures =
            Self.count(in: nodes) {
                switch $0 {
                case .star, .starStar, .folders, .alternatives, .number: true
                default: false
                }
            } >= 3
    }

    /// Whether the glob matches `path`, a path relative to the directory of the `.editorconfig` that holds it.
    public func matches(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { matches(bytes: $0) }
    }

    /// Whether the glob matches the UTF-8 bytes of a relative path.
    public func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var path = bytes
        if matchesLastComponent, let slash = bytes.lastIndex(of: 0x2F) {
            path = UnsafeBufferPointer(rebasing: bytes[(slash + 1)...])
        }
        return EditorConfigGlobMatcher(path: path, remembersFailures: remembersFailures).matches(nodes, 0, 0, nil)
    }

    /// How many nodes (alternatives' included) satisfy `predicate`.
    static func count(in nodes: [Node], where predicate: (Node) -> Bool) -> Int {
        nodes.reduce(0) { total, node in
            var inner = 0
            if case .alternatives(let alternatives) = node {
                inner = alternatives.reduce(0) { $0 + count(in: $1, where: predicate) }
            }
            return total + inner + (predicate(node) ? 1 : 0)
        }
    }
}
