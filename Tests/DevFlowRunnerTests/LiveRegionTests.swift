import Foundation
import Testing

@testable import DevFlowRunCommands

/// The live region's text: cut to the width (wide characters count twice), escape sequences of a step's output
/// dropped, and erased exactly as high as it was drawn.
@Suite struct LiveRegionTests {
    @Test(arguments: [
        ("short", 10, "short"),
        ("exactly ten", 11, "exactly ten"),
        ("a line that is too long", 10, "a line th…"),
        ("日本語のテキスト", 9, "日本語の…"),
        ("", 5, ""),
    ])
    func fitsTheWidth(_ text: String, _ width: Int, _ expected: String) {
        #expect(LiveRegion.fit(text, width: width) == expected)
    }

    @Test func dropsEscapeSequencesAndControlCharacters() {
        #expect(LiveRegion.printable("\u{1B}[31mred\u{1B}[0m\tdone\u{7}\r") == "red done")
        #expect(LiveRegion.printable("\u{1B}[2K\u{1B}[1Aup") == "up")
    }

    @Test func erasesWhatItDrew() {
        var region = LiveRegion()
        let now = Date()
        region.latest["build"] = "compiling"
        let drawn = region.draw(
            running: ["build": (1, now), "test": (2, now.addingTimeInterval(1))], done: 1, total: 4,
            now: now.addingTimeInterval(3), size: TerminalSize(columns: 80, rows: 24))
        #expect(drawn == "1/4 done, 2 running\n  ▸ build 3s  compiling\n  ▸ test (attempt 2) 2s")
        #expect(region.erase() == "\r\u{1B}[2K\u{1B}[1A\u{1B}[2K\u{1B}[1A\u{1B}[2K")
        #expect(region.erase() == "")
    }
}
