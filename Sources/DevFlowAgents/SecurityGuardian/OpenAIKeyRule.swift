/// `openai-key`: an OpenAI API key. Project, service-account and admin keys (`sk-proj-`,
/// `sk-svcacct-`, `sk-admin-`) and legacy user keys (`sk-` + 20 + 20) carry `T3BlbkFJ`, the
/// base64 of `OpenAI`, in the middle; that marker is what tells them from other `sk-` strings.
enum OpenAIKeyRule {
    static let rule = TokenRule(
        id: "openai-key", kind: "OpenAI API key",
        pattern: "(?<![A-Za-z0-9_-])(?:sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}"
            + "|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?![A-Za-z0-9_-])",
        keywords: ["t3blbkfj"],
        examples: GuardianExamples(
            triggering: [
                "OPENAI_API_KEY=sk-⟨a20⟩T3BlbkFJ⟨a20⟩",
                "client = OpenAI(api_key=\"sk-proj-⟨u74⟩T3BlbkFJ⟨u74⟩\")",
                "key: sk-admin-⟨u58⟩T3BlbkFJ⟨u58⟩",
            ],
            nonTriggering: [
                "OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxT3BlbkFJxxxxxxxxxxxxxxxxxxxx",
                "OPENAI_API_KEY=os.environ[\"OPENAI_API_KEY\"]",
                "the marker T3BlbkFJ is base64 for OpenAI",
            ]),
        validate: { SecretValue.randomVerdict($0, prefix: 3) })
}
