import Foundation

/// `sql-concatenation`: an SQL statement in a string literal joined to other values (`+`, `.`,
/// `%`, `.format(…)`, `f"…{x}"`, `${…}`, `\(…)`, `#{…}`, a `printf`-style call), which invites SQL
/// injection. Literals with bound parameters (`?`, `$1`, `:name`) are fine.
struct SQLConcatenationRule: GuardianRule {
    static let rule = SQLConcatenationRule()

    let info = SecurityGuardian.Rule(
        id: "sql-concatenation", severity: .high, isSecret: false,
        summary: "SQL built by string concatenation or interpolation")
    let keywords = GuardianKeywords.bytes(["select", "insert", "update", "delete"])
    let examples = GuardianExamples(
        triggering: [
            "query = \"SELECT * FROM users WHERE id = \" + userId",
            "cursor.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)",
            "cursor.execute(f\"DELETE FROM users WHERE id = {uid}\")",
            "db.query(`SELECT * FROM t WHERE id = ${id}`)",
            "let q = \"UPDATE users SET name = '\\(name)' WHERE id = 1\"",
            "sql = \"INSERT INTO logs VALUES ({})\".format(x)",
            "q := fmt.Sprintf(\"SELECT * FROM t WHERE id = %d\", id)",
            "$q = \"SELECT * FROM users WHERE id = \" . $id;",
        ],
        nonTriggering: [
            "db.execute(\"SELECT 1\")",
            "cursor.execute(\"SELECT * FROM users WHERE id = ?\", (uid,))",
            "log(\"Failed to delete from cache: \" + key)",
            "print(f\"Selected {n} items\")",
            "let q = \"SELECT id FROM users\"",
        ])

    private let keyword = GuardianRegex(
        "(?i:^\\s*(?:select\\b[\\s\\S]*?\\b(?:from|where)|insert\\s+into|update\\b[\\s\\S]+?\\bset|delete\\s+from)\\b)"
            + "|\\b(?:SELECT\\b[\\s\\S]*?\\b(?:FROM|WHERE)|INSERT\\s+INTO|UPDATE\\b[\\s\\S]+?\\bSET|DELETE\\s+FROM)\\b")
    private let formatCall = GuardianRegex("(?:format|sprintf|printf|Sprintf|Sprint|fmt\\.Sprintf)\\s*\\(\\s*$")

    func matches(in line: GuardianLine) -> [GuardianMatch] {
        SecurityGuardianSQLScanner.scan(Array(line.text.utf16), keyword: keyword.regex, format: formatCall.regex).map {
            GuardianMatch(
                range: $0.range, value: line.text($0.range),
                message: "SQL statement built by \($0.how); use bound parameters instead.")
        }
    }
}
