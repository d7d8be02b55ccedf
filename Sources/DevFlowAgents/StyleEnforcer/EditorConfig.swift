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
        var chain: [(directory: String, file: EditorConfigFile)] = []
        var directory = PathName.parent(of: path)
        while true {
            if let file = load(directory) {
                chain.append((directory, file))
                if file.isRoot { break }
            }
            if directory.isEmpty || directory == "/" { break }
            directory = PathName.parent(of: directory)
        }
        var pairs = OrderedPairs()
        var pathBytes = Array(path.utf8)
        for (directory, file) in chain.reversed() {
            let skip = directory.isEmpty ? 0 : directory.utf8.count + (directory == "/" ? 0 : 1)
            let matched = pathBytes.withUnsafeBufferPointer { whole in
                let relative = UnsafeBufferPointer(rebasing: whole[min(skip, whole.count)...])
                return file.sections.map { $0.glob?.matches(bytes: relative) ?? false }
            }
            for (section, isMatch) in zip(file.sections, matched) where isMatch {
                for pair in section.pairs { pairs[pair.key] = pair.value }
            }
        }
        pathBytes.removeAll()
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

    /// The properties style-enforcer checks for the `workspace`-relative `path`.
    public mutating func properties(for path: String) -> Properties {
        var values: [String: String] = [:]
        for (key, value) in pairs(for: path) where value != "unset" { values[key] = value }
        func positive(_ key: String) -> Int? { values[key].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } }
        var properties = Properties()
        properties.indentStyle = values["indent_style"].flatMap { ["space", "tab"].contains($0) ? $0 : nil }
        properties.tabWidth = positive("tab_width")
        properties.indentSize = values["indent_size"] == "tab" ? properties.tabWidth : positive("indent_size")
        properties.endOfLine = values["end_of_line"].flatMap { ["lf", "crlf", "cr"].contains($0) ? $0 : nil }
        properties.charset = values["charset"]
        properties.trimTrailingWhitespace = values["trim_trailing_whitespace"].flatMap(Self.bool)
        properties.insertFinalNewline = values["insert_final_newline"].flatMap(Self.bool)
        properties.maxLineLength = positive("max_line_length")
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

/// Pairs in first-appearance order; assigning an existing key replaces its value in place.
struct OrderedPairs {
    private(set) var list: [(key: String, value: String)] = []
    private var positions: [String: Int] = [:]

    subscript(key: String) -> String? {
        get { positions[key].map { list[$0].value } }
        set {
            guard let newValue else { return }
            if let position = positions[key] {
                list[position].value = newValue
            } else {
                positions[key] = list.count
                list.append((key, newValue))
            }
        }
    }
}
