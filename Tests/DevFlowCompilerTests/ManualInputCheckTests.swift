import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import Testing

/// The inputs of a manual run against `on.manual.inputs`, in the compiler's words.
@Suite struct ManualInputCheckTests {
    static let declared: [String: Triggers.ManualInput] = [
        "environment": .init(
            type: "choice", description: "where to deploy", required: true, defaultValue: nil,
            options: ["staging", "production"]),
        "dry_run": .init(type: "boolean", description: nil, required: false, defaultValue: .bool(true), options: []),
        "replicas": .init(type: "number", description: nil, required: false, defaultValue: nil, options: []),
        "note": .init(type: "string", description: nil, required: false, defaultValue: nil, options: []),
    ]

    func messages(_ inputs: [String: JSONValue]) -> [String] {
        ManualInputCheck.problems(inputs, pipeline: "deploy", declared: Self.declared).map(\.message)
    }

    @Test("valid inputs, as a command line (strings) or as JSON, have no problem")
    func valid() {
        #expect(messages(["environment": .string("staging")]).isEmpty)
        #expect(
            messages([
                "environment": .string("production"), "dry_run": .string("false"), "replicas": .string("3"),
                "note": .string("x"),
            ]).isEmpty)
        #expect(
            messages(["environment": .string("production"), "dry_run": .bool(false), "replicas": .number(2.5)]).isEmpty)
    }

    @Test("unknown names get did-you-mean; a missing required input names its description")
    func unknownAndMissing() {
        let problems = ManualInputCheck.problems(
            ["dry-run": .string("yes")], pipeline: "deploy", declared: Self.declared)
        #expect(
            problems.map(\.message) == [
                "unknown input 'dry-run'; did you mean 'dry_run'?",
                "the manual run is missing required input 'environment' (where to deploy)",
            ])
        #expect(problems.map(\.rule) == ["unknown-key", "missing-required-key"])
        #expect(problems.map(\.code) == ["DF003", "DF005"])
        #expect(
            messages(["environment": .string("staging"), "zzz": .string("1")]) == [
                "unknown input 'zzz'; expected one of 'dry_run', 'environment', 'note' or 'replicas'"
            ])
    }

    @Test("wrong types and choices outside the options, with the rule the compiler uses")
    func wrongValues() {
        let problems = ManualInputCheck.problems(
            [
                "environment": .string("prodution"), "dry_run": .string("maybe"), "replicas": .string("many"),
                "note": .number(5),
            ],
            pipeline: "deploy", declared: Self.declared)
        #expect(
            problems.map(\.message) == [
                "input 'dry_run' must be a boolean (true or false), found 'maybe'",
                "invalid value of choice input 'environment': 'prodution'; did you mean 'production'?",
                "input 'note' must be a string, found 5",
                "input 'replicas' must be a number, found 'many'",
            ])
        #expect(problems.map(\.rule) == ["wrong-type", "invalid-value", "wrong-type", "wrong-type"])
        #expect(
            messages(["environment": .string("qa")]) == [
                "invalid value of choice input 'environment': 'qa'; expected 'staging' or 'production'"
            ])
        #expect(
            messages(["environment": .bool(true)]) == [
                "input 'environment' must be one of 'staging' or 'production', found true"
            ])
    }

    @Test("a pipeline without a manual trigger, or without inputs, says so")
    func noManualTrigger() {
        #expect(
            ManualInputCheck.problems([:], pipeline: "ci", declared: nil).map(\.message) == [
                "pipeline 'ci' does not run by hand: it has no 'manual' trigger; add 'manual:' under 'on'"
            ])
        #expect(
            ManualInputCheck.problems(["x": .string("1")], pipeline: "ci", declared: [:]).map(\.message) == [
                "unknown input 'x'; pipeline 'ci' declares no inputs"
            ])
    }

    /// Found by fuzz-manual-inputs (fuzz/regressions/fuzz-manual-inputs/crlf-in-unknown-input-name): a name with a
    /// "\r\n" was quoted whole, because a split on "\n" does not see the one Character "\r\n".
    @Test("a name with any line end is quoted up to it, so a message stays on one line")
    func lineEndsInNames() {
        for name in ["a\r\nb", "a\nb", "a\rb", "a\u{2028}b"] {
            #expect(
                ManualInputCheck.problems([name: .string("1")], pipeline: "ci", declared: [:]).map(\.message) == [
                    "unknown input 'a…'; pipeline 'ci' declares no inputs"
                ])
        }
    }
}
