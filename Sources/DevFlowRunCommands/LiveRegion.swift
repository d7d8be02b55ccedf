import Foundation

/// The bottom of the terminal in the live style: a progress line, then one line per running step with its duration
/// and its latest output line, each cut to the terminal's width so nothing wraps and the region can be redrawn in
/// place (cursor up, clear line).
struct LiveRegion {
    /// The latest output line of each running node.
    var latest: [String: String] = [:]
    /// How many lines the last draw left on the screen.
    private(set) var height = 0

    /// At most this many steps get a line of their own; the rest are counted.
    static let maximumSteps = 8

    /// Moves the cursor back to the first line of the region and clears it, line by line.
    mutating func erase() -> String {
        guard height > 0 else { return "" }
        var text = "\r\u{1B}[2K"
        for _ in 1..<height { text += "\u{1B}[1A\u{1B}[2K" }
        height = 0
        return text
    }

    /// The region for `running` nodes (the cursor ends on its last line, so `erase` finds it).
    mutating func draw(
        running: [String: (attempt: Int, started: Date)], done: Int, total: Int, now: Date, size: TerminalSize
    ) -> String {
        let width = max(size.columns - 1, 10)
        let rows = max(min(Self.maximumSteps, size.rows - 2), 1)
        let ordered = running.sorted {
            $0.value.started == $1.value.started ? $0.key < $1.key : $0.value.started < $1.value.started
        }
        var lines = [Self.fit("\(done)/\(total) done, \(running.count) running", width: width)]
        for (node, info) in ordered.prefix(rows) {
            let seconds = Int(now.timeIntervalSince(info.started))
            var text = "  ▸ \(node)\(info.attempt > 1 ? " (attempt \(info.attempt))" : "") \(seconds)s"
            if let line = latest[node].map(Self.printable), !line.isEmpty { text += "  " + line }
            lines.append(Self.fit(text, width: width))
        }
        if ordered.count > rows { lines.append("  … and \(ordered.count - rows) more") }
        height = lines.count
        return lines.joined(separator: "\n")
    }

    /// `text` in at most `width` columns: cut with `…` when longer (wide characters count as two).
    static func fit(_ text: String, width: Int) -> String {
        func columns(_ character: Character) -> Int { character.unicodeScalars.contains { isWide($0) } ? 2 : 1 }
        guard text.reduce(0, { $0 + columns($1) }) > width else { return text }
        var result = ""
        var used = 0
        for character in text {
            guard used + columns(character) <= width - 1 else { break }
            result.append(character)
            used += columns(character)
        }
        return result + "…"
    }

    /// A step's line without what would move the cursor or change colours: escape sequences and control
    /// characters dropped, tabs as spaces.
    static func printable(_ text: String) -> String {
        var result = ""
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x1B:
                // CSI (`ESC [` … final byte 0x40–0x7E) or a two-byte escape: skip it whole.
                guard let next = scalars.next(), next == "[" else { continue }
                while let byte = scalars.next(), !(0x40...0x7E).contains(byte.value) {}
            case 0x09: result.unicodeScalars.append(" ")
            case 0..<0x20, 0x7F: continue
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// East Asian wide and fullwidth ranges, and emoji: two columns on a terminal.
    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            true
        default: false
        }
    }
}

/// The terminal's size in columns and rows, from the terminal itself (`TIOCGWINSZ`), then `COLUMNS`/`LINES`, then
/// 80 × 24.
struct TerminalSize: Equatable {
    var columns: Int
    var rows: Int

    static func current() -> TerminalSize {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return TerminalSize(columns: Int(size.ws_col), rows: Int(max(size.ws_row, 3)))
        }
        let environment = ProcessInfo.processInfo.environment
        return TerminalSize(
            columns: environment["COLUMNS"].flatMap(Int.init) ?? 80, rows: environment["LINES"].flatMap(Int.init) ?? 24)
    }
}
