import DevFlowDiagnostics
import DevFlowGraph

/// An expression parsed from a site, with where its text starts in the source.
struct ParsedExpression {
    /// The AST.
    var expression: Expression
    /// Source byte offset of the expression text (nil when it could not be mapped).
    var base: Int?
    /// Source offset of the whole `${{ … }}` placeholder (nil when it could not be mapped).
    var placeholderBase: Int?
    /// The site's node, to fall back on for spans.
    var mapper: SiteSpanMapper
    /// The value-relative UTF-8 range of the placeholder.
    var placeholderRange: Range<Int>
    /// The expression's source text.
    var text: String

    /// Source span of the whole placeholder, computed on demand (only findings need it).
    var placeholderSpan: SourceSpan { mapper.span(base: placeholderBase, range: 0..<placeholderRange.count) }
}

/// A site with its parsed expressions.
struct AnalyzedSite {
    /// The site.
    var site: ExpressionSite
    /// Its expressions, in order.
    var expressions: [ParsedExpression]
    /// Maps expression ranges to source spans.
    var mapper: SiteSpanMapper
}

/// The result of parsing and type-checking every expression of a pipeline.
struct ExpressionAnalysis {
    /// Every site that holds expressions.
    var sites: [AnalyzedSite] = []
    /// Each step's parsed `if:` condition.
    var conditions: [String: Expression] = [:]
}
