/// One parsed `.editorconfig` file, read as the EditorConfig specification's "File Format" says: line by line,
/// each trimmed; blank lines and lines starting with `#` or `;` are ignored (there are no inline comments);
/// `[name]` starts a section; `key = value` splits at the first `=`. Keys are lowercased, and so are the values
/// of the properties whose values are case-insensitive. `root` counts only in the preamble, before any section.
/// Other lines are invalid and ignored. A UTF-8 byte order mark at the start is skipped.
public struct EditorConfigFile: Sendable {
    /// One `[glob]` section and its pairs in file order.
    public struct Section: Sendable {
        /// The compiled section name; nil for a name over `maximumSectionLength` bytes (it matches nothing).
        public var glob: EditorConfigGlob?
        /// The `key = value` pairs, keys lowercased.
        public var pairs: [(key: String, value: String)]
    }

    /// Section names up to this many bytes are matched; longer ones match nothing (the specification asks for
    /// at least 1,024).
    public static let maximumSectionLength = 4096
    /// Keys up to this many bytes are read; a longer pair is ignored (the specification asks for 1,024).
    public static let maximumKeyLength = 1024
    /// Values up to this many bytes are read; a longer pair is ignored (the specification asks for 4,096).
    public static let maximumValueLength = 4096
    /// The properties whose values are case-insensitive, lowercased when read (as the reference core does).
    public static let caseInsensitiveKeys: Set<String> = [
        "end_of_line", "indent_style", "indent_size", "insert_final_newline", "trim_trailing_whitespace", "charset",
    ]

    /// Whether the preamble says `root = true` (any case): no `.editorconfig` further up applies.
    public var isRoot = false
    /// The sections in file order.
    public var sections: [Section] = []

    /// Parses the bytes of an `.editorconfig` file.
    public init(bytes: [UInt8]) {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        for raw in body.split(separator: 0x0A, omittingEmptySubsequences: true) {
            let line = Self.trimmed(raw)
            guard let first = line.first, first != 0x23, first != 0x3B else { continue }  // blank, "#", ";"
            if first == 0x5B, line.last == 0x5D, line.count >= 2 {  // "[name]"
                let name = line.dropFirst().dropLast()
                let glob =
                    name.count <= Self.maximumSectionLength
                    ? EditorConfigGlob(String(decoding: name, as: UTF8.self)) : nil
                sections.append(Section(glob: glob, pairs: []))
                continue
            }
            guard let equals = line.firstIndex(of: 0x3D) else { continue }
            let keyBytes = Self.trimmed(line[..<equals])
            let valueBytes = Self.trimmed(line[(equals + 1)...])
            guard !keyBytes.isEmpty, keyBytes.count <= Self.maximumKeyLength,
                valueBytes.count <= Self.maximumValueLength
            else { continue }
            let key = Self.lowercased(keyBytes)
            var value = String(decoding: valueBytes, as: UTF8.self)
            if sections.isEmpty {
                if key == "root" { isRoot = Self.lowercased(valueBytes) == "true" }
                continue
            }
            if Self.caseInsensitiveKeys.contains(key) { value = Self.lowercased(valueBytes) }
            sections[sections.count - 1].pairs.append((key, value))
        }
    }

    /// Parses the text of an `.editorconfig` file.
    public init(text: String) { self.init(bytes: Array(text.utf8)) }

    /// `bytes` without leading and trailing ASCII whitespace (space, tab, CR, LF, vertical tab, form feed).
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        var slice = bytes
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return slice
    }

    /// `bytes` as text with ASCII letters lowercased (other characters as they are).
    static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
