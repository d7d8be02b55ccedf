/// `stripe-key`: a Stripe secret key, restricted key or webhook signing secret.
///
/// Stripe documents `sk_live_`/`sk_test_` secret keys, `rk_live_`/`rk_test_` restricted keys and
/// `whsec_` webhook signing secrets (`sk_prod_`/`rk_prod_` are seen in the wild too). A test key is
/// still a secret: it reads and writes the account's test data. Publishable keys (`pk_live_`,
/// `pk_test_`) are meant for browsers and are not reported.
enum StripeKeyRule {
    static let rule = TokenRule(
        id: "stripe-key", kind: "Stripe secret key",
        pattern: "(?<![A-Za-z0-9_])(?:(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9]{24,})"
            + "(?![A-Za-z0-9_])",
        keywords: ["_live_", "_test_", "_prod_", "whsec_"],
        examples: GuardianExamples(
            triggering: [
                "Stripe.apiKey = '" + "sk_live_⟨a24⟩';",
                "STRIPE_SECRET_KEY=sk_test_⟨a99⟩",
                "restricted: rk_live_⟨a24⟩",
                "stripe.api_key = \"rk_test_⟨a32⟩\"",
                "STRIPE_WEBHOOK_SECRET=whsec_⟨a32⟩",
            ],
            nonTriggering: [
                "publishable(\"pk_live_\") and sk_live_short",
                "method: task_test_runner_integration",
                "STRIPE_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx",
                "publishable = \"pk_live_⟨a24⟩\"",
            ]),
        validate: { value in
            SecretValue.randomVerdict(value, prefix: value.hasPrefix("whsec_") ? 6 : 8)
        })
}
