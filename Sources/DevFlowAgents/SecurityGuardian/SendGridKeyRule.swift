/// `sendgrid-key`: a SendGrid API key, `SG.` + a 22-character key ID + `.` + a 43-character
/// secret (base64url); 66 characters after `SG.` without the inner dot are accepted too.
enum SendGridKeyRule {
    static let rule = TokenRule(
        id: "sendgrid-key", kind: "SendGrid API key",
        pattern: "(?<![A-Za-z0-9_-])SG\\.(?:[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{16,64}|[A-Za-z0-9_=.-]{66})"
            + "(?![A-Za-z0-9_=.-])",
        keywords: ["sg."],
        examples: GuardianExamples(
            triggering: [
                "SENDGRID_API_KEY=SG.⟨u22⟩.⟨u43⟩",
                "sg = SendGridAPIClient('SG.⟨l66⟩')",
            ],
            nonTriggering: [
                "SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "import SG.Utils.Helpers",
            ]),
        validate: { SecretValue.randomVerdict($0, prefix: 3) })
}
