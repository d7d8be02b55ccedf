import DevFlowGraph
import Foundation

/// `.editorconfig` files (https://spec.editorconfig.org): the properties that apply to a path, found in the file's
/// directory and each one above it up to the root directory given (or the first file whose preamble says
/// `root = true`); pairs of farther files are read first, so nearer files and later sections win. A directory
/// with no `.editorconfig` (or none at all) counts as empty.
///
/// ```swift
/// var config = EditorConfig(workspace: "/repo")
/// config.pairs(for: "src/a.go")       // [("indent_style", "tab"), ("indent_size", "tab")]
/// config.properties(for: "src/a.go")  // Properties(indentStyle: "tab")
/// ```
public struct EditorConfig {
    /// The properties style-enforcer checks, resolved for one file (`unset` and unsupported values left out).
    public struct Properties: Equatable, Sendable {
        /// `space` or `tab`.
        public var indentStyle: String?
        /// Columns of one indentation level (`indent_size = tab` gives the tab width).
        public var indentSize: Int?
        /// Columns of one tab.
        public var tabWidth: Int?
        /// `lf`, `crlf` or `cr`.
        public var endOfLine: String?
        /// The charset as written, lowercased (`utf-8`, `utf-8-bom`, `latin1`, …).
        public var charset: String?
        /// Whether trailing whitespace must go.
        public var trimTrailingWhitespace: Bool?
        /// Whether the file must (true) or must not (false) end with a newline.
        public var insertFinalNewline: Bool?
        /// The longest line allowed, in characters.
        public var maxLineLength: Int?

        /// No property set.
        public init(
            indentStyle: String? = nil, indentSize: Int? = nil, tabWidth: Int? = nil, endOfLine: String? = nil,
            charset: String? = nil, trimTrailingWhitespace: Bool? = nil, insertFinalNewline: Bool? = nil,
            maxLineLength: Int? = nil
        ) {
            self.indentStyle = indentStyle
            self.indentSize = indentSize
            self.tabWidth = tabWidth
            self.endOfLine = endOfLine
            self.charset = charset
            self.trimTrailingWhitespace = trimTrailingWhitespace
            self.insertFinalNewline = insertFinalNewline
            self.maxLineLength = maxLineLength
        }

        /// Whether any checked property is set.
        public var isEmpty: Bool { self == Properties() }
        /// Columns one level of indentation takes.
        public var indentWidth: Int { indentSize ?? tabWidth ?? 4 }
    }

    /// The directory that relative paths start from; the search for `.editorconfig` files stops there.
    public let workspace: String
    /// The name of the files to read (`.editorconfig`; the reference command's `-f` changes it).
    public let fileName: String
    /// The version of the specification whose defaults apply (`indent_size` and `tab_width` changed in 0.9.0).
    public let version: EditorConfigVersion
    private var cache: [String: EditorConfigFile?] = [:]
    private var chains: [String: [Link]] = [:]

    /// Resolution for paths relative to `workspace`.
    public init(workspace: String, fileName: String = ".editorconfig", version: EditorConfigVersion = .current) {
        self.workspace = workspace
        self.fileName = fileName
        self.version = version
    }

    /// Every pair that applies to the `workspace`-relative `path`, in the order the reference `editorconfig`
    /// command prints them (first appearance; a later value replaces an earlier one in place), `unset` values
    /// included, with the defaults of `indent_size` and `tab_width` added.
    public mutating func pairs(for path: String) -> [(key: String, value: String)] {
        let chain = self.chain(for: PathName.parent(of: path))
        var pairs = OrderedPairs()
        var path = path
        path.withUTF8 { whole in
            for link in chain {
                let relative = UnsafeBufferPointer(rebasing: whole[min(link.skip, whole.count)...])
                for section in link.file.sections where section.glob?.matches(bytes: relative) == true {
                    for pair in section.pairs { pairs[pair.key] = pair.value }
                }
            }
        }
        if version >= EditorConfigVersion(0, 9, 0) {
            if pairs["indent_style"] == "tab", pairs["indent_size"] == nil { pairs["indent_size"] = "tab" }
            if pairs["indent_size"] == "tab", let width = pairs["tab_width"] { pairs["indent_size"] = width }
        }
        if let size = pairs["indent_size"], pairs["tab_width"] == nil,
            version < EditorConfigVersion(0, 9, 0) || size != "tab"
        {
            pairs["tab_width"] = size
        }
        return pairs.list
    }

    /// One `.editorconfig` that applies to the files of a directory, and how many bytes of their paths to skip
    /// for the path relative to it.
    private struct Link {
        var skip: Int
        var file: EditorConfigFile
    }

    /// The files that apply in the `workspace`-relative `directory`, farthest first (up to a `root = true`).
    private mutating func chain(for directory: String) -> [Link] {
        if let cached = chains[directory] { return cached }
        var chain: [Link] = []
        var current = directory
        while true {
            if let file = load(current) {
                chain.append(Link(skip: current.isEmpty ? 0 : current.utf8.count + 1, file: file))
                if file.isRoot { break }
            }
            if current.isEmpty || current == "/" { break }
            current = PathName.parent(of: current)
        }
        chain.reverse()
        chains[directory] = chain
        return chain
    }

    /// The properties style-enforcer checks for the `workspace`-relative `path`.
    public mutating func properties(for path: String) -> Properties {
        var properties = Properties()
        var indentSize: String?
        func positive(_ value: String) -> Int? { Int(value).flatMap { $0 > 0 ? $0 : nil } }
        for (key, value) in pairs(for: path) where value != "unset" {
            switch key {
            case "indent_style": properties.indentStyle = value == "space" || value == "tab" ? value : nil
            case "indent_size": indentSize = value
            case "tab_width": properties.tabWidth = positive(value)
            case "end_of_line": properties.endOfLine = ["lf", "crlf", "cr"].contains(value) ? value : nil
            case "charset": properties.charset = value
            case "trim_trailing_whitespace": properties.trimTrailingWhitespace = Self.bool(value)
            case "insert_final_newline": properties.insertFinalNewline = Self.bool(value)
            case "max_line_length": properties.maxLineLength = positive(value)
            default: break
            }
        }
        properties.indentSize = indentSize == "tab" ? properties.tabWidth : indentSize.flatMap(positive)
        return properties
    }

    static func bool(_ text: String) -> Bool? { text == "true" ? true : text == "false" ? false : nil }

    /// The parsed file in the `workspace`-relative `directory`, read once.
    private mutating func load(_ directory: String) -> EditorConfigFile? {
        if let cached = cache[directory] { return cached }
        let absolute = PathName.join(PathName.join(workspace, directory), fileName)
        let file = FileManager.default.contents(atPath: absolute).map { EditorConfigFile(bytes: [UInt8]($0)) }
        cache[directory] = file
        return file
    }
}

/// Pairs in first-appearance order; assigning an existing key replaces its value in place. A handful of pairs
/// apply to a file, so a linear search beats hashing.
struct OrderedPairs {
    private(set) var list: [(key: String, value: String)] = []

    subscript(key: String) -> String? {
        get { list.first { $0.key == key }?.value }
        set {
            guard let newValue else { return }
            if let position = list.firstIndex(where: { $0.key == key }) {
                list[position].value = newValue
            } else {
                list.append((key, newValue))
            }
        }
    }
}
