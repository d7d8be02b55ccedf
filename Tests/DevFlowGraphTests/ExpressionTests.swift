import DevFlowGraph
import Testing

/// The expression parser, printer and evaluator.
@Suite struct ExpressionTests {
    static func parse(_ text: String) throws -> Expression {
        switch ExpressionParser.parse(text) {
        case .success(let expression): return expression
        case .failure(let error): throw error
        }
    }

    @Test(arguments: [
        ("a.b == 'x' && !c || d", "a.b == 'x' && !c || d"),
        ("(a || b) && c", "(a || b) && c"),
        ("a || (b && c)", "a || b && c"),
        ("format('{0}-{1}', matrix.os, 1.5)", "format('{0}-{1}', matrix.os, 1.5)"),
        ("steps['build-x'].outputs.v", "steps['build-x'].outputs.v"),
        ("'it''s'", "'it''s'"),
        ("-1 < 2", "-1 < 2"),
    ])
    func normalizesWithMinimalParentheses(_ input: String, _ expected: String) throws {
        #expect(try Self.parse(input).normalized == expected)
    }

    @Test(arguments: [
        ("git.branch = 'main'", "unexpected '='; did you mean '=='?", 11),
        ("git.branch == \"main\"", "strings in expressions use single quotes, not double quotes", 14),
        ("contains(a, b", "expected ')' to close the bracket at offset 8 but found end of expression", 13),
        ("a &&", "expected a value but the expression ended", 4),
        ("'open", "string literal is never closed; strings use single quotes, with '' for a quote", 0),
        ("a b", "unexpected 'b' after a complete expression", 2),
    ])
    func reportsSyntaxErrorsWithTheirOffset(_ input: String, _ message: String, _ offset: Int) {
        guard case .failure(let error) = ExpressionParser.parse(input) else {
            Issue.record("\(input) should not parse")
            return
        }
        #expect(error.message == message)
        #expect(error.range.lowerBound == offset)
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000)
        guard case .failure(let error) = ExpressionParser.parse(text) else {
            Issue.record("should fail")
            return
        }
        #expect(error.message.contains("nests deeper"))
        guard case .failure = ExpressionParser.parse(String(repeating: "!", count: 10_000) + "a") else {
            Issue.record("should fail")
            return
        }
    }

    @Test func evaluatesWithKnownAndUnknownValues() throws {
        let evaluator = ExpressionEvaluator(
            contexts: ["git": .object(["branch": .string("main")]), "event": .object(["kind": .string("push")])],
            statusFunctions: ["success": true], missingIsUnknown: true)
        #expect(evaluator.evaluate(try Self.parse("git.branch == 'main' && success()")) == .bool(true))
        #expect(evaluator.evaluate(try Self.parse("event.kind == 'pull_request' && steps.a.outputs.x")) == .bool(false))
        #expect(evaluator.evaluate(try Self.parse("steps.a.outputs.x == '1'")) == nil)
        #expect(evaluator.evaluate(try Self.parse("steps.a.outputs.x == '1' || true")) == .bool(true))
        #expect(evaluator.evaluate(try Self.parse("format('{0}/{1}', git.branch, 2)")) == .string("main/2"))
        #expect(evaluator.evaluate(try Self.parse("join(from_json('[1,2]'), '+')")) == .string("1+2"))
        #expect(
            evaluator.evaluate(
                try Self.parse("contains(from_json('[\"a\"]'), 'a') && starts_with('release/1', 'release/')"))
                == .bool(true))
        #expect(evaluator.evaluate(try Self.parse("'10' == 10 && 2 > 1.5")) == .bool(true))
    }

    @Test func templatesSplitIntoTextAndExpressions() {
        let template = Template("echo ${{ a }} and ${{ 'x}}' }}!")
        #expect(template.segments.count == 5)
        if case .expression(let source, let range, _) = template.segments[3] {
            #expect(source == " 'x}}' ")
            #expect(range == 18..<30)
        } else {
            Issue.record("expected an expression")
        }
        #expect(Template("echo ${{ a").unclosedAt == 5)
    }
}
