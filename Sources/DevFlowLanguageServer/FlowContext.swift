/// Where the end of a flow collection being typed on one line sits (`{attempts: 3, backoff: {fa`, `[a, b, `): the
/// keys that lead into it and what is being written there.
struct FlowContext: Equatable {
    /// What is being written at the end.
    enum Position: Equatable {
        /// A key of the innermost flow mapping, which has `siblings` already.
        case key(siblings: [String])
        /// The value of `key` in the innermost flow mapping.
        case value(key: String)
        /// An item of the innermost flow sequence, which holds `listed` already.
        case item(listed: [String])
    }

    /// The segments from the value's node to the innermost collection (`[]` for a sequence's item).
    var path: [String]
    /// What is being written.
    var position: Position

    /// The token left by a nested collection that closed: not a key or an item of its own.
    private static let closedCollection = "\u{1}"

    private struct Frame {
        var isMapping: Bool
        var token = ""
        var key: String?
        var keys: [String] = []
        var items: [String] = []
    }

    /// Reads the value text before the position; nil when it is not inside a flow collection.
    static func read(_ value: String) -> FlowContext? {
        var frames: [Frame] = []
        var path: [String] = []
        var quote: Character?
        let characters = Array(value)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            if let open = quote {
                if character == open { quote = nil } else { frames[frames.count - 1].token.append(character) }
                continue
            }
            if !frames.isEmpty, character == "\"" || character == "'" {
                quote = character
                continue
            }
            switch character {
            case "{", "[":
                if let top = frames.last { path.append(top.isMapping ? (top.key ?? top.token.trimmed) : "[]") }
                frames.append(Frame(isMapping: character == "{"))
            case "}", "]":
                guard !frames.isEmpty else { return nil }
                frames.removeLast()
                if !path.isEmpty { path.removeLast() }
                if !frames.isEmpty { frames[frames.count - 1].token = Self.closedCollection }
            case "," where !frames.isEmpty:
                let top = frames[frames.count - 1]
                if top.isMapping {
                    if top.key == nil, !top.token.trimmed.isEmpty {
                        frames[frames.count - 1].keys.append(top.token.trimmed)
                    }
                } else if !top.token.trimmed.isEmpty, top.token != Self.closedCollection {
                    frames[frames.count - 1].items.append(top.token.trimmed)
                }
                frames[frames.count - 1].token = ""
                frames[frames.count - 1].key = nil
            case ":"
            where !frames.isEmpty && frames[frames.count - 1].isMapping
                && frames[frames.count - 1].key == nil
                && (index == characters.count || characters[index] == " "):
                let key = frames[frames.count - 1].token.trimmed
                frames[frames.count - 1].key = key
                frames[frames.count - 1].keys.append(key)
                frames[frames.count - 1].token = ""
            default:
                if !frames.isEmpty { frames[frames.count - 1].token.append(character) }
            }
        }
        guard let top = frames.last else { return nil }
        if !top.isMapping { return FlowContext(path: path, position: .item(listed: top.items)) }
        if let key = top.key { return FlowContext(path: path, position: .value(key: key)) }
        return FlowContext(path: path, position: .key(siblings: top.keys))
    }
}

extension String {
    fileprivate var trimmed: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
