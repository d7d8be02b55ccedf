import DevFlowTestSupport
import Foundation
import Testing

/// `devflow run` on a real pseudo-terminal (util-linux `script`, 40 columns): the live view redraws each running
/// step's latest line in place, cut to the width; `--output stream|errors|quiet` print what they promise.
@Suite(
    .serialized,
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: builtDevflow)
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
struct LiveViewTests {
    static let pipeline =
        RunCommandTests.header + """
            steps:
              build:
                run: |
                  echo "compiling module one with a very long line that does not fit in forty columns"
                  sleep 1.5
                  echo "linking"
              lint:
                run: |
                  echo "checking"
                  sleep 0.5
                  echo "bad thing" >&2
                  exit 3
            """

    /// Runs `devflow run ARGUMENTS` on a 40-column pseudo-terminal and returns what the terminal received.
    static func onTerminal(_ arguments: [String]) throws -> (status: Int32, screen: String) {
        let directory = try RunCommandTests.workspace(Self.pipeline)
        let transcript = directory + "/transcript"
        let command =
            "stty cols 40 rows 20; exec \(builtDevflow) run --db \(directory)/db.sqlite "
            + arguments.joined(separator: " ")
        let result = Repository.run("/usr/bin/script", ["-qfec", command, transcript], directory: directory)
        let screen = try String(contentsOfFile: transcript, encoding: .utf8)
        return (result.status, screen)
    }

    @Test func theLiveViewRedrawsEachRunningStepInPlaceWithinTheWidth() throws {
        let (status, screen) = try Self.onTerminal([])
        #expect(status == 1)
        #expect(screen.contains("\u{1B}[1A\u{1B}[2K"), "no redraw in place:\n\(screen)")
        // The latest line of the running step, cut to 39 columns with an ellipsis, next to its duration.
        #expect(screen.contains("  ▸ build 0s  compiling module one wit…"), "\(screen)")
        #expect(screen.contains("  ▸ build 1s  compiling module one wit…"), "the duration does not move:\n\(screen)")
        let regionLines = screen.components(separatedBy: "\r\n").flatMap { $0.components(separatedBy: "\u{1B}[2K") }
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\r")) }.filter { $0.hasPrefix("  ▸ ") }
        #expect(!regionLines.isEmpty)
        for line in regionLines { #expect(line.count <= 39, "wider than the terminal: '\(line)'") }
        // A failure prints its log tail as before; output lines never print on their own.
        #expect(screen.contains("✗ lint failed: exited with 3\r\n    │ checking\r\n    │ bad thing\r\n"), "\(screen)")
        #expect(screen.contains("✓ build succeeded"))
        #expect(!screen.contains("[build] compiling"))
        #expect(screen.contains("run 1 failed in"))
    }

    @Test func streamErrorsAndQuietPrintWhatTheyPromise() throws {
        let stream = try Self.onTerminal(["--output", "stream"]).screen
        #expect(
            stream.contains("[build] compiling module one with a very long line that does not fit in forty columns"))
        #expect(stream.contains("[lint] bad thing"))
        #expect(!stream.contains("\u{1B}[1A"))

        let errors = try Self.onTerminal(["--output", "errors"]).screen
        #expect(errors.contains("[lint] attempt 1 failed (exit 3)"))
        #expect(errors.contains("✗ lint failed: exited with 3\r\n    │ checking\r\n    │ bad thing\r\n"), "\(errors)")
        #expect(!errors.contains("build succeeded"))
        #expect(!errors.contains("compiling"))
        #expect(errors.contains("run 1 failed in"))

        let quiet = try Self.onTerminal(["--output", "quiet"]).screen
        #expect(quiet.contains("✗ lint failed: exited with 3"))
        #expect(!quiet.contains("bad thing"))
        #expect(!quiet.contains("run 1 of 't'"))
        #expect(quiet.contains("run 1 failed in"))

        let wrong = try Self.onTerminal(["--output", "loud"])
        #expect(wrong.status == 2)
        #expect(wrong.screen.contains("devflow: --output takes live, stream, errors or quiet, found 'loud'"))
    }
}
