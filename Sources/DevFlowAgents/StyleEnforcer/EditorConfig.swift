import DevFlowGraph
import Foundation

/// `.editorconfig` files (https://editorconfig.org): the properties that apply to a path, found by walking from the
/// file's directory up to the workspace root (or the first file saying `root = true`); nearer files and later
/// sections win.
struct EditorConfig {
    /// The properties style-enforcer checks, resolved for one file.
    struct Properties: Equatable {
        var indentStyle: String?
        var indentSize: Int?
        var tabWidth: Int?
        var endOfLine: String?
        var charset: String?
        var trimTrailingWhitespace: Bool?
        var insertFinalNewline: Bool?
        var maxLineLength: Int?

        /// Whether any checked property is set.
        var isEmpty: Bool { self == Properties() }
        /// Columns one level of indentation takes.
        var indentWidth: Int { indentSize ?? tabWidth ?? 4 }
    }

    /// One `[glob]` section with its raw `key = value` pairs (keys and values lowercased).
    struct Section {
        var pattern: NSRegularExpression?
        var pairs: [(String, String)]
    }

    /// One parsed file.
    struct File {
        /// Workspace-relative directory holding the file ("" for the root).
        var directory: String
        var isRoot: Bool
        var sections: [Section]
    }

    let workspace: String
    private var cache: [String: File?] = [:]

    init(workspace: String) { self.workspace = workspace }

    /// The properties for the workspace-relative `path`.
    mutating func properties(for path: String) -> Properties {
        var chain: [File] = []
        var directory = PathName.parent(of: path)
        while true {
            if let file = load(directory) {
                chain.append(file)
                if file.isRoot { break }
            }
            if directory.isEmpty { break }
            directory = PathName.parent(of: directory)
        }
        var values: [String: String] = [:]
        for file in chain.reversed() {
            let relative = file.directory.isEmpty ? path : String(path.dropFirst(file.directory.count + 1))
            for section in file.sections {
                guard let pattern = section.pattern,
                    pattern.firstMatch(in: relative, range: NSRange(relative.startIndex..., in: relative)) != nil
                else { continue }
                for (key, value) in section.pairs { values[key] = value }
            }
        }
        var properties = Properties()
        func value(_ key: String) -> String? {
            guard let value = values[key], value != "unset" else { return nil }
            return value
        }
        properties.indentStyle = value("indent_style").flatMap { ["space", "tab"].contains($0) ? $0 : nil }
        properties.tabWidth = value("tab_width").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        if let size = value("indent_size") {
            properties.indentSize = size == "tab" ? properties.tabWidth : Int(size).flatMap { $0 > 0 ? $0 : nil }
        }
        properties.endOfLine = value("end_of_line").flatMap { ["lf", "crlf", "cr"].contains($0) ? $0 : nil }
        properties.charset = value("charset")
        properties.trimTrailingWhitespace = value("trim_trailing_whitespace").flatMap(Self.bool)
        properties.insertFinalNewline = value("insert_final_newline").flatMap(Self.bool)
        properties.maxLineLength = value("max_line_length").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        return properties
    }

    static func bool(_ text: String) -> Bool? { text == "true" ? true : text == "false" ? false : nil }

    private mutating func load(_ directory: String) -> File? {
        if let cached = cache[directory] { return cached }
        let absolute = directory.isEmpty ? "\(workspace)/.editorconfig" : "\(workspace)/\(directory)/.editorconfig"
        let file = FileManager.default.contents(atPath: absolute).map {
            Self.parse(String(decoding: $0, as: UTF8.self), directory: directory)
        }
        cache[directory] = file
        return file
    }

    /// Parses the text of an `.editorconfig` file.
    static func parse(_ text: String, directory: String) -> File {
        var file = File(directory: directory, isRoot: false, sections: [])
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let glob = String(line.dropFirst().dropLast())
                file.sections.append(Section(pattern: regex(forGlob: glob), pairs: []))
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces).lowercased()
            if file.sections.isEmpty {
                if key == "root" { file.isRoot = value == "true" }
            } else {
                file.sections[file.sections.count - 1].pairs.append((key, value))
            }
        }
        return file
    }

    /// The regular expression of an EditorConfig glob: a pattern without `/` matches a file name at any depth;
    /// one with `/` is relative to the `.editorconfig`'s directory. `*` stays within a segment, `**` crosses
    /// segments, `?`, `[…]`, `[!…]`, `{a,b}` and `{1..9}` as in the specification.
    static func regex(forGlob glob: String) -> NSRegularExpression? {
        var pattern = glob
        if pattern.hasPrefix("/") { pattern.removeFirst() }
        let anchored = glob.contains("/")
        var out = anchored ? "^" : "^(?:.*/)?"
        var characters = Array(pattern)
        var index = 0
        var braceDepth = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\\":
                index += 1
                if index < characters.count {
                    out += NSRegularExpression.escapedPattern(for: String(characters[index]))
                }
            case "*":
                if index + 1 < characters.count, characters[index + 1] == "*" {
                    out += ".*"
                    index += 1
                } else {
                    out += "[^/]*"
                }
            case "?": out += "[^/]"
            case "[":
                if let close = characters[(index + 1)...].firstIndex(of: "]") {
                    var body = String(characters[(index + 1)..<close])
                    if body.hasPrefix("!") { body = "^" + body.dropFirst() }
                    out += "[" + body.replacingOccurrences(of: "\\", with: "\\\\") + "]"
                    index = close
                } else {
                    out += "\\["
                }
            case "{":
                if let close = characters[(index + 1)...].firstIndex(of: "}") {
                    let body = String(characters[(index + 1)..<close])
                    let bounds = body.components(separatedBy: "..")
                    if bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), low <= high,
                        high - low <= 10_000
                    {
                        out += "(?:" + (low...high).map(String.init).joined(separator: "|") + ")"
                        index = close
                    } else if body.contains(",") {
                        out += "(?:"
                        braceDepth += 1
                    } else {
                        out += "\\{"
                    }
                } else {
                    out += "\\{"
                }
            case "}" where braceDepth > 0:
                out += ")"
                braceDepth -= 1
            case "," where braceDepth > 0: out += "|"
            default: out += NSRegularExpression.escapedPattern(for: String(character))
            }
            index += 1
        }
        characters.removeAll()
        return try? NSRegularExpression(pattern: out + "$")
    }
}
