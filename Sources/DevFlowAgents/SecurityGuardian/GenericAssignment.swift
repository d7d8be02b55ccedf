import Foundation

/// A value assigned to a name on one line, in any of the syntaxes `generic-secret` knows.
struct GenericAssignment {
    /// The assigned name, as written.
    let name: String
    /// The assigned value, without quotes.
    let value: String
    /// UTF-16 range of the value on the line.
    let range: NSRange
    /// Whether the value was written without quotes (then it must have a digit and a letter).
    let bare: Bool

    private static let word =
        "(?:secret|token|password|passwd|api_key|apikey|api-key|private_key|private-key|privatekey|credential|creds|auth)"
    private static let value = "(?:[bru]?[\"'`]([^\"'`\\s\\\\]{16,})[\"'`]|([A-Za-z0-9+/=_\\-.~!@#%^&*]{16,}))"

    /// `name = v` and its relatives: group 1 the name, 2 a lone `:` (YAML, JSON), 3 a `,` (a quoted
    /// name and value as function arguments), 4 a quoted value, 5 a bare value.
    private static let assignment = GuardianRegex(
        "(?i)(?<![A-Za-z0-9_.\\-])([A-Za-z0-9_.\\-]*\(word)[A-Za-z0-9_.\\-]*)[\"'`]?\\]?"
            + "(?:\\s*(?::{1,3}=|\\?\\?=|\\?=|\\.=|\\+=|\\|\\|=|=>|=(?!=)|(:)(?!:))"
            + "|\\s*:\\s*[A-Za-z_][A-Za-z0-9_.<>\\[\\]?]*\\s*=(?!=)"
            + "|\\s+[A-Za-z_][A-Za-z0-9_.<>\\[\\]]*\\s*=(?!=)"
            + "|(\\s*,))\\s*\(value)")
    /// `<name attr="…">v</name>`: group 1 the name, 2 the value.
    private static let element = GuardianRegex(
        "(?i)<([A-Za-z0-9_.\\-:]*\(word)[A-Za-z0-9_.\\-:]*)(?:\\s[^>]*)?>\\s*([^<\\s]{16,})\\s*</")
    /// `<entry name="name" value="v"/>`: group 1 the name, 2 the value.
    private static let entry = GuardianRegex(
        "(?i)(?:name|key)\\s*=\\s*[\"']([^\"']*\(word)[^\"']*)[\"']\\s+value\\s*=\\s*[\"']([^\"'\\s]{16,})[\"']")
    /// An opening element alone on its line: group 1 the name.
    private static let openingElement = GuardianRegex(
        "(?i)<([A-Za-z0-9_.\\-:]*\(word)[A-Za-z0-9_.\\-:]*)(?:\\s[^>]*)?>\\s*$")
    /// A value alone on its line (inside an element opened on the line before): group 1.
    private static let loneValue = GuardianRegex("^\\s*([^\\s<>\"'=]{16,})\\s*$")

    /// The assignments on a line.
    static func find(in line: GuardianLine) -> [GenericAssignment] {
        var out: [GenericAssignment] = []
        for match in assignment.matches(in: line) {
            let nameRange = match.range(at: 1)
            if match.range(at: 3).location != NSNotFound {
                // `"name", "value"`: only when the name itself was quoted.
                guard nameRange.location > 0, "\"'".utf16.contains(line.ns.character(at: nameRange.location - 1))
                else { continue }
            }
            let quoted = match.range(at: 4)
            let bare = quoted.location == NSNotFound
            let range = bare ? match.range(at: 5) : quoted
            guard range.location != NSNotFound else { continue }
            let colon = match.range(at: 2)
            if bare, colon.location != NSNotFound, colon.location + 1 < line.ns.length,
                line.ns.character(at: colon.location + 1) != 32, line.ns.character(at: colon.location + 1) != 9
            {
                // `name:value` without a space is not a YAML mapping: a URL, a Maven coordinate, a port.
                continue
            }
            if bare {
                // A call or a subscript (`token = make_token(…)`, `secret = env[…]`) is not a value.
                let end = range.location + range.length
                if end < line.ns.length, "([".utf16.contains(line.ns.character(at: end)) { continue }
            }
            out.append(.init(name: line.text(nameRange), value: line.text(range), range: range, bare: bare))
        }
        for regex in [element, entry] {
            for match in regex.matches(in: line) {
                out.append(
                    .init(
                        name: line.text(match.range(at: 1)), value: line.text(match.range(at: 2)),
                        range: match.range(at: 2), bare: false))
            }
        }
        if let previous = line.previous, let lone = loneValue.regex.firstMatch(in: line.text, range: line.whole) {
            let ns = previous as NSString
            if let opening = openingElement.regex.firstMatch(
                in: previous, range: NSRange(location: 0, length: ns.length))
            {
                let range = lone.range(at: 1)
                out.append(
                    .init(
                        name: ns.substring(with: opening.range(at: 1)), value: line.text(range), range: range,
                        bare: false))
            }
        }
        return out
    }
}
