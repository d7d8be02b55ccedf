/// Text from outside (a request, an agent's answer, a payload) as a message for people quotes it: on one line, with
/// line ends, tabs, control and format characters escaped, and the JSON path of a decoding error.
public enum MessageText {
    /// `text` on one line (`\n`, `\r`, `\t`, other control and format characters and the Unicode line and paragraph
    /// separators escaped); with a `limit`, at most that many scalars and then `…`.
    public static func oneLine(_ text: String, limit: Int? = nil) -> String {
        var shown = ""
        for scalar in text.unicodeScalars.prefix(limit ?? Int.max) {
            switch scalar {
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case _
            where [.control, .format, .lineSeparator, .paragraphSeparator].contains(scalar.properties.generalCategory):
                shown += "\\u{\(String(scalar.value, radix: 16))}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        if let limit, text.unicodeScalars.count > limit { shown += "…" }
        return shown
    }

    /// The JSON path of coding keys, `pull_request.head.sha` or `findings[0].line`; "" for none (not quoted: a key
    /// read from the input goes through `oneLine`).
    public static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }
}
