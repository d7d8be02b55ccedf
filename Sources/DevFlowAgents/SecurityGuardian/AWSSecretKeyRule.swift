/// `aws-secret-key`: an AWS secret access key, recognised by its context.
///
/// A secret access key is 40 characters of base64 (`A-Za-z0-9/+`) with no prefix, so it is only
/// recognised when it is assigned to a name that says AWS and secret (`aws_secret_access_key`,
/// `AWS_SECRET`, `secretAccessKey` in an `aws` block is left to `generic-secret`). AWS's
/// documented example `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY` and references
/// (`os.environ[…]`, `${…}`) are not reported.
enum AWSSecretKeyRule {
    static let rule = TokenRule(
        id: "aws-secret-key", kind: "AWS secret access key",
        pattern: "(?i)(?:aws[A-Za-z0-9_.\\-]*secret|secret[A-Za-z0-9_.\\-]*aws)[A-Za-z0-9_.\\-]*[\"'\\]]*\\s*"
            + "(?::{1,3}=|\\?=|\\|\\|=|=>|=|:|,|>)\\s*[\"'`]?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
        keywords: ["aws"],
        examples: GuardianExamples(
            triggering: [
                "aws_secret_access_key = ⟨b40⟩",
                "AWS_SECRET_ACCESS_KEY: \"⟨b40⟩\"",
                "export AWS_SECRET_ACCESS_KEY=⟨b40⟩",
                "System.setProperty(\"aws.secretKey\", \"⟨b40⟩\");",
                "<awsSecretAccessKey>⟨b40⟩</awsSecretAccessKey>",
                "ENV[\"AWS_SECRET_ACCESS_KEY\"] ||= \"⟨b40⟩\"",
            ],
            nonTriggering: [
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "aws_secret_access_key = os.environ[\"AWS_SECRET_ACCESS_KEY\"]",
                "aws_region = \"us-east-1\"",
                "AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}",
            ]),
        validate: { value in
            guard value.contains(where: \.isNumber), value.contains(where: \.isUppercase),
                value.contains(where: \.isLowercase)
            else { return .notSecret }
            return SecretValue.randomVerdict(value, minimum: 4.0)
        })
}
