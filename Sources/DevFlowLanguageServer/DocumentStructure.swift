/// The nesting of a document's lines by indentation: which keys enclose a line, and which keys a mapping has.
struct DocumentStructure {
    let document: TextDocument

    func shape(_ line: Int) -> LineShape { LineShape(document.line(line)) }

    /// The path of the mapping that holds the key (or item) written on `line`.
    func mappingPath(line: Int, shape: LineShape) -> [String] {
        guard let first = shape.dashes.first else {
            return enclosingPath(line: line, column: shape.indent, inListItem: false)
        }
        return enclosingPath(line: line, column: first, inListItem: true)
            + Array(repeating: "[]", count: shape.dashes.count)
    }

    /// The keys enclosing content at `column` of `line`, outermost first. `inListItem`: the content is a list item
    /// whose marker is at `column`.
    func enclosingPath(line: Int, column: Int, inListItem: Bool) -> [String] {
        var path: [String] = []
        var column = column
        var listParentPending = inListItem
        var index = line - 1
        while index >= 0 {
            let shape = shape(index)
            index -= 1
            if shape.isBlank || shape.indent > column { continue }
            if shape.indent == column {
                // `key:` then `- item` at the key's own indentation: the key holds the list.
                if listParentPending, shape.dashes.isEmpty, let key = shape.key {
                    path.append(key)
                    listParentPending = false
                }
                continue
            }
            if !shape.dashes.isEmpty {
                if let key = shape.key, shape.contentColumn < column { path.append(key) }
                path += Array(repeating: "[]", count: shape.dashes.count)
                column = shape.dashes[0]
                listParentPending = true
                continue
            }
            guard let key = shape.key else { continue }
            path.append(key)
            column = shape.indent
            listParentPending = false
        }
        return path.reversed()
    }

    /// Whether content at `indent` of `line` is inside a block scalar (`run: |`).
    func isInsideBlockScalar(line: Int, indent: Int) -> Bool {
        var index = line - 1
        while index >= 0 {
            let shape = shape(index)
            index -= 1
            if shape.isBlank { continue }
            if shape.indent < indent || (shape.contentColumn < indent && !shape.dashes.isEmpty) {
                return shape.key != nil && shape.opensBlockScalar && shape.contentColumn < indent
            }
        }
        return false
    }

    /// The keys of the mapping whose keys sit at `column` around `line` (the line itself excluded).
    /// `itemStart`: the line starts a list item, so the mapping begins there.
    func siblingKeys(line: Int, column: Int, itemStart: Bool) -> [String] {
        var keys: [String] = []
        if !itemStart {
            var index = line - 1
            while index >= 0 {
                let shape = shape(index)
                index -= 1
                if shape.isBlank || shape.indent > column && shape.dashes.isEmpty { continue }
                if !shape.dashes.isEmpty {
                    if shape.contentColumn == column, let key = shape.key { keys.append(key) }
                    if shape.dashes[0] < column { break }
                    continue
                }
                if shape.indent < column { break }
                if let key = shape.key { keys.append(key) }
            }
        }
        var index = line + 1
        while index < document.lineCount {
            let shape = shape(index)
            index += 1
            if shape.isBlank || shape.indent > column { continue }
            if shape.indent < column || !shape.dashes.isEmpty { break }
            if let key = shape.key { keys.append(key) }
        }
        return keys
    }
}
