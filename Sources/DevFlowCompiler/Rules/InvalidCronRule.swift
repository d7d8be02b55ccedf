import DevFlowDiagnostics

/// a schedule is not a valid five-field cron expression
enum InvalidCronRule {
    /// The rule's catalogue entry.
    static let descriptor = RuleDescriptor(
        code: "DF020", name: "invalid-cron", severity: .error,
        summary: "a schedule is not a valid five-field cron expression",
        explanation: """
            Schedules use the five standard fields: minute (0-59), hour (0-23), day of month (1-31), \
            month (1-12 or JAN-DEC) and day of week (0-7 or SUN-SAT, 0 and 7 both Sunday). Each field is \
            `*`, a value, a range `a-b`, a list `a,b` or a step `*/n` or `a-b/n`.

            ```yaml
            on:
              schedule: [{cron: "0 25 * * *"}]    # DF020: hour '25' is out of range 0-23
            ```
            """)
}
