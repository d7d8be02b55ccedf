/// `twilio-key`: a Twilio API key, `SK` + 32 hex characters (account SIDs, `AC` + 32 hex, are
/// identifiers and are not reported).
enum TwilioKeyRule {
    static let rule = TokenRule(
        id: "twilio-key", kind: "Twilio API key",
        pattern: "(?<![A-Za-z0-9])SK[0-9a-fA-F]{32}(?![A-Za-z0-9])",
        keywords: ["sk"],
        examples: GuardianExamples(
            triggering: [
                "TWILIO_API_KEY=SK⟨h32⟩",
                "client = Client(\"SK⟨h32⟩\", secret)",
            ],
            nonTriggering: [
                "TWILIO_ACCOUNT_SID=AC⟨h32⟩",
                "TWILIO_API_KEY=SKXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
                "TASK⟨h32⟩",
            ]),
        validate: { SecretValue.randomVerdict($0, prefix: 2) })
}
