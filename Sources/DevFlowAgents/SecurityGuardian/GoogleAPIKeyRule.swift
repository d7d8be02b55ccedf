/// `google-api-key`: a Google API key (`AIza` + 35 characters of `A-Za-z0-9_-`).
///
/// Not reported: keys of the wrong case or length, text that merely contains the prefix, and
/// placeholders (`AIzaSyabcdefghijklmnopqrstuvwxyz1234567`, low-entropy fill).
enum GoogleAPIKeyRule {
    static let rule = TokenRule(
        id: "google-api-key", kind: "Google API key",
        pattern: "(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_\\-]{35}(?![0-9A-Za-z_\\-])",
        keywords: ["aiza"],
        examples: GuardianExamples(
            triggering: [
                "const mapsKey = \"AIza⟨a35⟩\";",
                "GOOGLE_API_KEY=AIza⟨u35⟩",
                "<string name=\"google_api_key\">AIza⟨a35⟩</string>",
            ],
            nonTriggering: [
                "x = \"AIza⟨a20⟩\"",
                "apiKey: \"AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
                "AIzaSyabcdefghijklmnopqrstuvwxyz1234567",
                "AIZASYCO2CXRMC9ELSKLHLHRMBSWDEVEDZTLO2O",
                "GWw4hjABFzZCGiRpmlDyDdo87Jn9BN9THUA47muVRNunLxsa82tMAdvmrhOqJAIza⟨a35⟩",
            ]),
        validate: { SecretValue.randomVerdict($0, prefix: 4, minimum: 4.0) })
}
