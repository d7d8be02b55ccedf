import DevFlowDiagnostics
import DevFlowGraph
import DevFlowSyntax

/// The outcome of compiling one file: every diagnostic, and the graph when there were no errors.
public struct Compilation: Sendable {
    /// The source that was compiled.
    public let source: SourceFile
    /// All diagnostics, in source order.
    public let diagnostics: [Diagnostic]
    /// The decoded pipeline (nil when the YAML could not be parsed).
    public let pipeline: PipelineDecl?
    /// The lowered graph, present only when no diagnostic is an error.
    public let graph: ExecutionGraph?

    /// True when any diagnostic is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Compiles `.devflow.yml` files: parse, decode by schema, check, lower. Never stops at the first error.
public enum Compiler {
    /// Compiles `source`. With `lower: false` (what a linter needs) every check runs but no graph is built.
    public static func compile(_ source: SourceFile, lower: Bool = true) -> Compilation {
        let document = YAMLParser.parse(source)
        var diagnostics = document.diagnostics
        guard !document.hasSyntaxError else {
            return Compilation(
                source: source, diagnostics: Diagnostic.sortedForOutput(diagnostics), pipeline: nil, graph: nil)
        }
        let documentSpan = SourceSpan(
            file: source.path, start: SourcePosition(line: 1, column: 1, offset: 0),
            end: source.position(atOffset: source.bytes.count))
        var decoder = PipelineDecoder(file: source.path)
        let pipeline = decoder.decode(document.root, documentSpan: documentSpan)
        diagnostics += decoder.reader.diagnostics
        let context = CheckContext(source: source, pipeline: pipeline)
        let checks: [any PipelineCheck.Type] = [
            NeedsCheck.self, CycleCheck.self, ReferenceCheck.self, MatrixCheck.self,
        ]
        for check in checks { check.check(context, into: &diagnostics) }
        var expressionChecker = ExpressionChecker(context: context)
        let analysis = expressionChecker.analyze()
        diagnostics += expressionChecker.diagnostics
        TemplateInjectionCheck.check(context, analysis: analysis, into: &diagnostics)
        ReachabilityCheck.check(context, analysis: analysis, into: &diagnostics)
        let hasErrors = diagnostics.contains { $0.severity == .error }
        let graph =
            !lower || hasErrors || document.root == nil ? nil : Lowerer(context: context, analysis: analysis).lower()
        // A mistake inside a merged (`<<:`) or aliased node is found once per use; report it once.
        var seen = Set<Diagnostic>()
        let unique = diagnostics.filter { seen.insert($0).inserted }
        return Compilation(
            source: source, diagnostics: Diagnostic.sortedForOutput(unique), pipeline: pipeline, graph: graph)
    }

    /// Every rule the compiler (and the YAML front end) reports, ordered by code.
    public static let rules: [RuleDescriptor] =
        (SyntaxRules.all + [
            UnknownKeyRule.descriptor, WrongTypeRule.descriptor, MissingKeyRule.descriptor, InvalidIDRule.descriptor,
            ConflictingKeysRule.descriptor, UnsupportedVersionRule.descriptor, InvalidValueRule.descriptor,
            InvalidDurationRule.descriptor, InvalidCronRule.descriptor, InvalidGlobRule.descriptor,
            UnknownReferenceRule.descriptor,
            PolicyRangeRule.descriptor, ExpressionSyntaxRule.descriptor, ExpressionTypeRule.descriptor,
            UnknownPropertyRule.descriptor,
            UnknownFunctionRule.descriptor, ContextUnavailableRule.descriptor, NonAncestorOutputRule.descriptor,
            UndeclaredOutputRule.descriptor, UndeclaredSecretRule.descriptor, TemplateInjectionCheck.descriptor,
        ] + NeedsCheck.rules + CycleCheck.rules + MatrixCheck.rules + ReachabilityCheck.rules).sorted {
            $0.id.code < $1.id.code
        }
}
