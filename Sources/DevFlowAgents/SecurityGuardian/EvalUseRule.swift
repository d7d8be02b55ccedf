/// `eval-use`: code built at run time and evaluated (`eval(…)`, shell `eval "$…"`, `new Function(…)`).
enum EvalUseRule {
    static let rule = PatternRule(
        id: "eval-use", severity: .medium, summary: "Use of eval",
        message: "Code built at run time is evaluated; avoid eval and parse or dispatch explicitly.",
        pattern: "(?<![A-Za-z0-9_.$])eval\\s*\\(|(?<![A-Za-z0-9_.$-])eval\\s+[\"']?\\$|\\bnew\\s+Function\\s*\\(",
        keywords: ["eval", "function"],
        examples: GuardianExamples(
            triggering: [
                "result = eval(user_input)",
                "x = eval (expr)",
                "eval \"$CMD\"",
                "eval $(ssh-agent -s)",
                "const f = new Function(\"return \" + body);",
            ],
            nonTriggering: [
                "score = evaluate(model)",
                "model.eval()",
                "value = ast.literal_eval(s)",
                "docs = retrieval(x)  # evaluation",
            ]))
}
