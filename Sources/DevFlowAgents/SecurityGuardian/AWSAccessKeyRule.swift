/// `aws-access-key`: an AWS access key ID.
///
/// AWS documents the unique-ID prefixes of IAM and STS identifiers ("IAM identifiers", *Unique
/// identifiers*): `AKIA` (access key), `ASIA` (temporary STS access key), `ABIA` (STS service
/// bearer token), `ACCA` (context-specific credential), `AGPA` (group), `AIDA` (user), `AIPA`
/// (EC2 instance profile), `ANPA` (managed policy), `ANVA` (managed policy version), `AROA`
/// (role), `APKA` (public key), `ASCA` (certificate), and the older `A3T` + one character. The
/// rest is 16 characters of the base32 alphabet `A-Z2-7`. The key ID alone does not grant access,
/// but it names the account and pairs with a secret key nearby, so it is reported.
///
/// Not reported: AWS's documented example `AKIAIOSFODNN7EXAMPLE` and other placeholders, and
/// text that has the shape but not the randomness of a key (a DNA sequence `ACCAGTTC…`).
enum AWSAccessKeyRule {
    static let rule = TokenRule(
        id: "aws-access-key", kind: "AWS access key ID",
        pattern: "(?<![A-Za-z0-9])((?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA|A3T[A-Z0-9])"
            + "[A-Z2-7]{16})(?![A-Za-z0-9])",
        keywords: [
            "akia", "asia", "abia", "acca", "agpa", "aida", "aipa", "anpa", "anva", "aroa", "apka", "asca", "a3t",
        ],
        examples: GuardianExamples(
            triggering: [
                "AWS_ACCESS_KEY_ID=AKIA⟨U16⟩",
                "    aws_access_key_id: \"ASIA⟨U16⟩\"",
                "credential = 'ABIA⟨U16⟩'",
                "\"AccessKeyId\": \"ACCA⟨U16⟩\",",
                "role AROA⟨U16⟩ user AIDA⟨U16⟩",
                "export KEY=APKA⟨U16⟩ # also AGPA⟨U16⟩ ANPA⟨U16⟩ ANVA⟨U16⟩ AIPA⟨U16⟩ ASCA⟨U16⟩",
            ],
            nonTriggering: [
                "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
                "key = AKIAXXXXXXXXXXXXXXXX",
                "key = \"AKIA⟨U12⟩\"",
                "name = \"XAKIA⟨U16⟩\"",
                "seq = ACCAGTTCAAGGTCCAGTAC",
                "TODAYINASIAASACKOFRICEFELLOVER",
            ]),
        validate: { SecretValue.randomVerdict($0, minimum: 3.0) })
}
