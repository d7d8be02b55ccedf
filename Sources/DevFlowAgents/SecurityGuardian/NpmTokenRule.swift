/// `npm-token`: an npm access token (`npm_` + 36 base62 characters).
enum NpmTokenRule {
    static let rule = TokenRule(
        id: "npm-token", kind: "npm access token",
        pattern: "(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])",
        keywords: ["npm_"],
        examples: GuardianExamples(
            triggering: [
                "//registry.npmjs.org/:_authToken=npm_⟨a36⟩",
                "NPM_TOKEN: \"npm_⟨l36⟩\"",
            ],
            nonTriggering: [
                "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
                "NPM_TOKEN=npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "const prefix = \"npm_\" + suffix",
            ]),
        validate: { SecretValue.randomVerdict($0, prefix: 4) })
}
