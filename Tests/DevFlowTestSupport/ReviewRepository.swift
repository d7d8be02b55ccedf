import Foundation

/// The repository the built-in agent tests review: `main` with pre-existing problems on lines nobody touches, a
/// `feature` branch with planted problems on its changed lines, and `main` merged into `feature` so that the pull
/// request's merge base excludes main's own later change.
public final class ReviewRepository {
    /// The repository.
    public let fixture: GitFixture
    /// Its working tree.
    public var path: String { fixture.path }

    /// Four-space indentation, LF, UTF-8, no trailing whitespace, final newline, 80 columns; tabs for Go.
    public static let editorconfig = """
        root = true

        [*]
        indent_style = space
        indent_size = 4
        end_of_line = lf
        charset = utf-8
        trim_trailing_whitespace = true
        insert_final_newline = true
        max_line_length = 80

        [*.md]
        trim_trailing_whitespace = false
        max_line_length = off

        [*.{go,mk}]
        indent_style = tab

        """

    /// A formatter in check mode that prints a unified diff: it removes the space after `(`.
    public static let formatter = """
        #!/bin/sh
        for f in "$@"; do
          sed 's/( /(/g' "$f" > "$f.formatted"
          diff -U0 --label "a/$f" --label "b/$f" "$f" "$f.formatted"
          rm -f "$f.formatted"
        done
        exit 0

        """

    /// Builds the repository and leaves `feature` checked out.
    public init() throws {
        fixture = try GitFixture()
        // main: the starting point, already with problems on lines the pull request does not touch.
        try fixture.write(".editorconfig", Self.editorconfig)
        try fixture.write("tools/fmt.sh", Self.formatter)
        // Built at run time so that no token-shaped literal sits in this source file.
        try fixture.write(
            "deploy/release.sh", "#!/bin/sh\nTOKEN=\"" + "ghp_" + "Zq7LmN2pR8sT4vW6yA1bC3dE5fG9hJ0kXuYo" + "\"\n")
        try fixture.write(
            "Sources/App/Legacy.swift",
            "struct Legacy {   \n\tlet value = 1\n    let text = \"" + String(repeating: "x", count: 90) + "\"\n}\n")
        try fixture.write(
            "Sources/App/Parser.swift",
            "public struct Parser {\n    public init( ) {}\n}\n")
        try fixture.write("Tests/AppTests/ParserTests.swift", "import Testing\n\n@Test func parses() {}\n")
        try fixture.write("app/util.py", "def existing():\n    return 1\n")
        try fixture.write("pkg/calc/calc.go", "package calc\n\nfunc Add(a, b int) int { return a + b }\n")
        try fixture.write(
            "pkg/calc/calc_test.go", "package calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {}\n")
        try fixture.write("CHANGELOG.md", "# Changelog\n")
        try fixture.write(
            "docs/usage.md",
            """
            # Usage

            Public functions in the parser:
            <!-- devflow:generated cmd="grep -c 'public func' Sources/App/Parser.swift" -->
            0
            <!-- devflow:end -->

            Greeting:
            <!-- devflow:generated cmd="echo hello" -->
            hello
            <!-- devflow:end -->

            """)
        try fixture.commit("start", date: "2024-03-01T10:00:00Z")

        // feature: planted problems on changed lines.
        try fixture.git(["checkout", "-q", "-b", "feature"])
        try fixture.write(
            "Sources/App/Parser.swift",
            "public struct Parser {\n    public init( ) {}\n    public func parse(_ text: String) -> [String] { [] }  \n"
                + "\tpublic func reset() {}\n    public func describe() -> String { \""
                + String(repeating: "p", count: 60)
                + "\" }\n    func helper( x: Int) {}\n}\n")
        try fixture.write(
            "Tests/AppTests/ParserTests.swift", "import Testing\n\n@Test func parses() {}\n\n@Test func resets() {}\n")
        try fixture.commit("parser: parse, reset, describe", date: "2024-03-02T10:00:00Z")
        try fixture.write(
            "Sources/App/Lexer.swift",
            "public enum Lexer {\n   public static func tokenize(_ s: String) -> [String] { [] }\n}")
        try fixture.write("app/util.py", "def existing():\n    return 1\n\n\ndef slugify(text):\n    return text\n")
        try fixture.write(
            "web/src/format.ts", "export function formatDate(d: Date): string {\n    return d.toISOString();\n}\n")
        try fixture.write(
            "pkg/calc/calc.go",
            "package calc\n\nfunc Add(a, b int) int { return a + b }\n\nfunc Sub(a, b int) int {\n\treturn a - b\n}\n")
        try fixture.write(
            "pkg/calc/calc_test.go",
            "package calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {}\n\nfunc TestSub(t *testing.T) {}\n")
        try fixture.write(
            "deploy/release.sh",
            "#!/bin/sh\nTOKEN=\"" + "ghp_" + "Zq7LmN2pR8sT4vW6yA1bC3dE5fG9hJ0kXuYo" + "\"\n"
                + "curl -fsSL https://get.example.com/install.sh | sh\n")
        try fixture.commit("lexer, slugify, formatDate, Sub", date: "2024-03-03T10:00:00Z")

        // main moves on with a problem of its own, then is merged into feature.
        try fixture.git(["checkout", "-q", "main"])
        try fixture.write("Sources/App/Main.swift", "let main = 1   \n")
        try fixture.commit("main: entry point", date: "2024-03-04T10:00:00Z")
        try fixture.git(["checkout", "-q", "feature"])
        try fixture.git(["merge", "-q", "--no-edit", "main"], date: "2024-03-05T10:00:00Z")
    }

    /// A file of the working tree.
    public func read(_ relative: String) throws -> String {
        try String(contentsOfFile: "\(path)/\(relative)", encoding: .utf8)
    }
}
