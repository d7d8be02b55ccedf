/// The line rules of one file's `.editorconfig` properties, with a quick test that passes over the lines that
/// cannot have a finding without copying or decoding them.
struct LineRules {
    /// What is wrong with a line's indentation.
    enum Indentation: Equatable {
        /// Tabs in the indentation where `indent_style = space` (fixable).
        case tabsWhereSpaces
        /// Space indentation that is not a multiple of `indent_size` (a `*` after one extra space, as in a block
        /// comment's continuation lines, is fine).
        case notMultiple
        /// At least one indentation level of spaces where `indent_style = tab` (fixable).
        case spacesWhereTabs
    }

    let properties: EditorConfig.Properties
    /// The line terminator `end_of_line` asks for.
    let expectedTerminator: [UInt8]?

    /// What is wrong with the indentation of the line `bytes` (its content, without terminator), if anything.
    func indentation(of bytes: UnsafeBufferPointer<UInt8>) -> Indentation? {
        guard let style = properties.indentStyle else { return nil }
        let width = properties.indentWidth
        var count = 0
        var tabs = 0
        var leadingTabs = 0
        while count < bytes.count, bytes[count] == 32 || bytes[count] == 9 {
            if bytes[count] == 9 {
                tabs += 1
                if leadingTabs == count { leadingTabs += 1 }
            }
            count += 1
        }
        switch style {
        case "space" where tabs > 0: return .tabsWhereSpaces
        case "space" where properties.indentSize != nil && count % width != 0:
            let continuesComment = count < bytes.count && bytes[count] == 42 && count % width == 1  // " *"
            return continuesComment ? nil : .notMultiple
        case "tab" where leadingTabs < count && count - leadingTabs >= width: return .spacesWhereTabs
        default: return nil
        }
    }

    /// Whether the line at `bounds` may have a finding; false means it certainly has none.
    func mayFind(_ buffer: UnsafeBufferPointer<UInt8>, _ bounds: StyledText.Bounds, isLast: Bool) -> Bool {
        if isLast, properties.insertFinalNewline != nil { return true }
        let length = bounds.contentEnd - bounds.start
        if let limit = properties.maxLineLength, length > limit { return true }
        if properties.trimTrailingWhitespace == true, length > 0 {
            let last = buffer[bounds.contentEnd - 1]
            if last == 32 || last == 9 { return true }
        }
        if let expected = expectedTerminator, bounds.end > bounds.contentEnd {
            let terminator = UnsafeBufferPointer(rebasing: buffer[bounds.contentEnd..<bounds.end])
            if !terminator.elementsEqual(expected) { return true }
        }
        let content = UnsafeBufferPointer(rebasing: buffer[bounds.start..<bounds.contentEnd])
        return indentation(of: content) != nil
    }
}
