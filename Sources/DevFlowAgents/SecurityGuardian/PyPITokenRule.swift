/// `pypi-token`: a PyPI API token, a macaroon whose base64 starts with `pypi-AgEIcHlwaS5vcmc`
/// (the serialised location `pypi.org`), then at least 50 more characters.
enum PyPITokenRule {
    static let rule = TokenRule(
        id: "pypi-token", kind: "PyPI API token",
        pattern: "pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
        keywords: ["pypi-ageichlwas5vcmc"],
        examples: GuardianExamples(
            triggering: [
                "password = pypi-AgEIcHlwaS5vcmc⟨u120⟩",
                "TWINE_PASSWORD: \"pypi-AgEIcHlwaS5vcmc⟨h64⟩\"",
            ],
            nonTriggering: [
                "TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}",
                "tokens start with pypi-AgEIcHlwaS5vcmc",
            ]),
        validate: { SecretValue.randomVerdict($0, prefix: 20) })
}
