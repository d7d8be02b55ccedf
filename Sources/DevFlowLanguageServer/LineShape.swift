import Foundation

/// The structure of one YAML line as an editor sees it while the document is being typed (and may not parse):
/// indentation, list markers, a `key:` and where its value starts. Columns are byte columns.
struct LineShape: Sendable, Equatable {
    /// The number of leading spaces.
    var indent: Int
    /// The columns of the `- ` list markers, outermost first.
    var dashes: [Int]
    /// The column where the content after the markers starts.
    var contentColumn: Int
    /// The key written at `contentColumn`, unquoted, if the content is `key:`.
    var key: String?
    /// The byte range of the key on the line.
    var keyRange: Range<Int>?
    /// The column just after the `:` of the key.
    var colonEnd: Int?
    /// The value's text after the key (comment and surrounding spaces removed).
    var value: String
    /// Whether the line holds nothing but spaces and perhaps a comment.
    var isBlank: Bool

    /// Whether the value opens a block scalar (`|`, `>-`, …): the lines below it are text, not keys.
    var opensBlockScalar: Bool { value.hasPrefix("|") || value.hasPrefix(">") }

    /// Reads a line.
    init(_ line: [UInt8]) {
        var index = 0
        while index < line.count, line[index] == UInt8(ascii: " ") { index += 1 }
        indent = index
        dashes = []
        while index < line.count, line[index] == UInt8(ascii: "-"),
            index + 1 == line.count || line[index + 1] == UInt8(ascii: " ")
        {
            dashes.append(index)
            index += 1
            while index < line.count, line[index] == UInt8(ascii: " ") { index += 1 }
        }
        contentColumn = index
        isBlank = index == line.count || line[index] == UInt8(ascii: "#")
        if dashes.isEmpty, line.count >= 3,
            line[0..<3].elementsEqual("---".utf8) || line[0..<3].elementsEqual("...".utf8)
        {
            isBlank = true
        }
        key = nil
        keyRange = nil
        colonEnd = nil
        value = ""
        guard !isBlank, let colon = Self.keyColon(line, from: index) else { return }
        var keyEnd = colon
        while keyEnd > index, line[keyEnd - 1] == UInt8(ascii: " ") { keyEnd -= 1 }
        var keyText = String(decoding: line[index..<keyEnd], as: UTF8.self)
        if keyText.count >= 2, let first = keyText.first, first == "\"" || first == "'", keyText.last == first {
            keyText = String(keyText.dropFirst().dropLast())
        }
        key = keyText
        keyRange = index..<keyEnd
        colonEnd = colon + 1
        value = Self.stripComment(String(decoding: line[(colon + 1)...], as: UTF8.self))
    }

    /// The offset of the `:` that ends a key starting at `start`: followed by a space or the end of the line, outside
    /// quotes and brackets.
    static func keyColon(_ line: [UInt8], from start: Int) -> Int? {
        guard start < line.count else { return nil }
        let first = line[start]
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") || first == UInt8(ascii: "&")
            || first == UInt8(ascii: "*") || first == UInt8(ascii: "!") || first == UInt8(ascii: "|")
            || first == UInt8(ascii: ">")
        {
            return nil
        }
        var index = start
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            index += 1
            while index < line.count, line[index] != first { index += 1 }
            index += 1
            guard index < line.count, line[index] == UInt8(ascii: ":") else { return nil }
            return index + 1 == line.count || line[index + 1] == UInt8(ascii: " ") ? index : nil
        }
        while index < line.count {
            let byte = line[index]
            if byte == UInt8(ascii: ":"), index + 1 == line.count || line[index + 1] == UInt8(ascii: " ") {
                return index
            }
            if byte == UInt8(ascii: "#"), index > start, line[index - 1] == UInt8(ascii: " ") { return nil }
            index += 1
        }
        return nil
    }

    static func stripComment(_ text: String) -> String {
        var result = ""
        var quote: Character?
        var previous: Character = " "
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#", previous == " " {
                break
            }
            result.append(character)
            previous = character
        }
        return result.trimmingCharacters(in: .whitespaces)
    }
}
