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

    /// The compiled pieces, matched in order against a path relative to the `.editorconfig`'s directory.
    let nodes: [Node]

    /// Compiles the section name `glob`.
    public init(_ glob: String) {
        var bytes = Array(glob.utf8)
        let anchored = bytes.contains(0x2F)
        if anchored, bytes.first == 0x2F { bytes.removeFirst() }
        var parser = EditorConfigGlobParser(bytes)
        let parsed = parser.parseAll()
        nodes = anchored ? parsed : [.folders] + parsed
    }

    /// Whether the glob matches `path`, a path relative to the directory of the `.editorconfig` that holds it.
    public func matches(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { EditorConfigGlobMatcher(path: $0).matches(nodes, 0, 0, nil) }
    }

    /// Whether the glob matches the UTF-8 bytes of a relative path.
    public func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        EditorConfigGlobMatcher(path: bytes).matches(nodes, 0, 0, nil)
    }
}
