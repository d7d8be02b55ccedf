import ArgumentParser
import DevFlowLint

/// The flags of `devflow-lint` (and `devflow lint`).
public struct LintFlags: ParsableArguments {
    @Argument(help: "Files or directories to lint; '-' reads standard input.")
    var paths: [String] = []

    @Option(help: "Output format: text, json, sarif, github or gitlab.")
    var format: String = "text"

    @Option(help: "Configuration file (default: .devflow-lint.yml in the current directory).")
    var config: String?

    @Option(name: .customLong("fail-on"), help: "Lowest severity that fails the run: error, warning or info.")
    var failOn: String?

    @Flag(name: .customLong("no-shellcheck"), help: "Do not run shellcheck on run: scripts.")
    var noShellcheck = false

    @Option(help: "Colour the text format: auto, always or never.")
    var color: String = "auto"

    @Option(help: "Print the explanation of a rule, by code (DF009) or name (dependency-cycle).")
    var explain: String?

    @Flag(name: .customLong("list-rules"), help: "List every rule with its code, name and default severity.")
    var listRules = false

    @Flag(help: "Apply every safe fix-it in place (atomically, only files that change), then lint again.")
    var fix = false

    @Flag(help: "With --fix: print the fixes as a unified diff and change nothing (exit 1 when there are any).")
    var diff = false

    @Flag(
        name: .customLong("unsafe-fixes"),
        help: "With --fix: also apply fix-its that guess (a nearest name, a new need).")
    var unsafeFixes = false

    /// Creates empty flags (ArgumentParser fills them).
    public init() {}

    /// The parsed values, for the library entry point.
    public var values: LintOptionValues {
        var values = LintOptionValues(
            paths: paths, format: format, config: config, failOn: failOn, noShellcheck: noShellcheck, color: color,
            explain: explain, listRules: listRules)
        values.fix = fix
        values.diff = diff
        values.unsafeFixes = unsafeFixes
        return values
    }
}
