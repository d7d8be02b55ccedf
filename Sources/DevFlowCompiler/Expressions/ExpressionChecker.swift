import DevFlowDiagnostics
import DevFlowGraph

/// Parses every expression site and type-checks it against the contexts available at that site.
struct ExpressionChecker {
    let context: CheckContext
    let cache = TypeCache()
    var diagnostics: [Diagnostic] = []
    /// Site-independent expressions (by kind of site and text) already known to type-check clean.
    var cleanExpressions = Set<String>()
    /// Expressions repeat across steps (`inputs.level || 'low'`); each distinct text is parsed once.
    var parsed: [String: Result<Expression, ExpressionSyntaxError>] = [:]

    init(context: CheckContext) { self.context = context }

    /// Parses and checks every site.
    mutating func analyze() -> ExpressionAnalysis {
        var analysis = ExpressionAnalysis()
        for site in context.pipeline.expressionSites {
            if let analyzed = analyze(site) {
                if case .condition(let step) = site.kind, let first = analyzed.expressions.first {
                    analysis.conditions[step] = first.expression
                }
                analysis.sites.append(analyzed)
            }
        }
        return analysis
    }

    private mutating func analyze(_ site: ExpressionSite) -> AnalyzedSite? {
        guard let text = site.node.scalar?.value else { return nil }
        var mapper = SiteSpanMapper(source: context.source, node: site.node)
        var parsed: [ParsedExpression] = []
        let template = Template(text)
        if case .condition = site.kind {
            // One placeholder with nothing but white space around it is a condition; anything else is a string.
            let segments = template.segments.filter {
                if case .text(let t) = $0 { !Self.isBlank(t) } else { true }
            }
            if template.hasExpressions, segments.count > 1 {
                diagnostics.append(
                    ExpressionTypeRule.descriptor.diagnostic(
                        "'if' mixes text and ${{ }} placeholders, so it is a non-empty string and always true",
                        at: site.node.usageSpan,
                        notes: ["write the whole condition inside one ${{ }}, or leave the delimiters out"]))
                return nil
            }
            if !template.hasExpressions {
                if template.unclosedAt != nil {
                    reportUnclosed(site, mapper: &mapper, at: template.unclosedAt!)
                    return nil
                }
                let range = 0..<text.utf8.count
                if let expression = parse(text, range: range, innerOffset: 0, site: site, mapper: &mapper) {
                    parsed.append(expression)
                }
                return finish(site, parsed, mapper)
            }
        }
        if let unclosed = template.unclosedAt { reportUnclosed(site, mapper: &mapper, at: unclosed) }
        for segment in template.segments {
            guard case .expression(let inner, let range, let innerOffset) = segment else { continue }
            if let expression = parse(inner, range: range, innerOffset: innerOffset, site: site, mapper: &mapper) {
                parsed.append(expression)
            }
        }
        return finish(site, parsed, mapper)
    }

    private mutating func finish(_ site: ExpressionSite, _ parsed: [ParsedExpression], _ mapper: SiteSpanMapper)
        -> AnalyzedSite
    {
        var typer = ExpressionTyper(context: context, cache: cache, site: site, mapper: mapper)
        for expression in parsed {
            // An expression that reads neither `steps` nor `matrix` types the same way in every site of one kind;
            // once it has checked clean there, it is clean everywhere of that kind.
            let key = Self.independentKey(expression, site: site)
            if let key, cleanExpressions.contains(key) { continue }
            let before = typer.diagnostics.count
            typer.check(expression)
            if let key, typer.diagnostics.count == before { cleanExpressions.insert(key) }
        }
        diagnostics += typer.diagnostics
        return AnalyzedSite(site: site, expressions: parsed, mapper: mapper)
    }

    /// True when `text` is empty or only spaces, tabs and line breaks.
    static func isBlank(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// A cache key for expressions whose typing depends only on the kind of site, or nil when it depends on the step.
    static func independentKey(_ parsed: ParsedExpression, site: ExpressionSite) -> String? {
        var dependent = false
        parsed.expression.walk { node in
            if case .context(let name) = node.kind, name == "steps" || name == "matrix" { dependent = true }
        }
        if dependent { return nil }
        let kind: String
        switch site.kind {
        case .pipelineEnv: kind = "p"
        case .concurrency: kind = "c"
        case .agentWith: kind = "a"
        case .condition: kind = "i"
        case .run, .stepEnv, .stepWith, .stepText: kind = "s"
        }
        return kind + parsed.text
    }

    private mutating func reportUnclosed(_ site: ExpressionSite, mapper: inout SiteSpanMapper, at offset: Int) {
        let base = mapper.sourceOffset(of: offset..<offset + 3)
        diagnostics.append(
            ExpressionSyntaxRule.descriptor.diagnostic(
                "'${{' is never closed with '}}'", at: mapper.span(base: base, range: 0..<3)))
    }

    private mutating func parse(
        _ text: String, range: Range<Int>, innerOffset: Int, site: ExpressionSite, mapper: inout SiteSpanMapper
    ) -> ParsedExpression? {
        let placeholderBase = mapper.sourceOffset(of: range)
        let base = placeholderBase.map { $0 + (innerOffset - range.lowerBound) }
        if Self.isBlank(text) {
            let placeholderSpan = mapper.span(base: placeholderBase, range: 0..<range.count)
            diagnostics.append(
                ExpressionSyntaxRule.descriptor.diagnostic("empty expression in '\(site.key)'", at: placeholderSpan))
            return nil
        }
        let result: Result<Expression, ExpressionSyntaxError>
        if let known = parsed[text] {
            result = known
        } else {
            result = ExpressionParser.parse(text)
            parsed[text] = result
        }
        switch result {
        case .success(let expression):
            return ParsedExpression(
                expression: expression, base: base, placeholderBase: placeholderBase, mapper: mapper,
                placeholderRange: range, text: text)
        case .failure(let error):
            let span = mapper.span(
                base: base, range: error.range.isEmpty ? error.range.lowerBound..<error.range.lowerBound : error.range)
            diagnostics.append(
                ExpressionSyntaxRule.descriptor.diagnostic("in '\(site.key)': \(error.message)", at: span))
            return nil
        }
    }
}
