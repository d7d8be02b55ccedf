import DevFlowCompiler
import DevFlowGraph
import DevFlowRunCommands
import DevFlowStore
import DevFlowStorePostgres
import Foundation

/// The library entry points of `devflow tokens create|list|revoke` and `devflow audit`, on the server's store.
public enum TokenCommands {
    /// What a command prints and its exit code.
    public typealias Output = StoreCommands.Output

    /// Whether `name` can name a token: 1 to 64 letters, digits, `.`, `_` or `-`.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
            }
    }

    /// Makes a token and stores its hash; returns the token (shown once) and its record.
    public static func create(name: String, role: APIRole, expiresAt: Date?, store: any APIStore) throws -> (
        String, APITokenRecord
    ) {
        let token = APITokens.generate()
        let record = try store.createToken(
            APITokenRecord(name: name, role: role, hash: APITokens.hash(token), createdAt: Date(), expiresAt: expiresAt)
        )
        return (token, record)
    }

    /// The store a command works on: `--db`, else the configuration's `db` (or `data`), else the default.
    public static func databasePath(db: String?, config: String) -> String {
        if let db { return db }
        if FileManager.default.fileExists(atPath: config),
            let (configuration, _) = try? ServerSettings.check(path: config)
        {
            return configuration.db ?? PathName.join(configuration.data, "devflow.sqlite")
        }
        return PathName.join(ServerConfiguration().data, "devflow.sqlite")
    }

    /// `devflow tokens create NAME --role ROLE [--expires 90d]`.
    public static func create(name: String, role: String, expires: String?, database: String) -> Output {
        guard isValidName(name) else {
            return Output(
                errors: "devflow: a token name is 1 to 64 letters, digits, '.', '_' or '-'; found '\(name)'\n", code: 2)
        }
        guard let role = APIRole(rawValue: role) else {
            return Output(errors: "devflow: --role must be viewer, operator or admin; found '\(role)'\n", code: 2)
        }
        var expiry: Date?
        if let expires {
            guard let seconds = APITokens.duration(expires) else {
                return Output(
                    errors: "devflow: --expires must be a lifetime of 1 to 9999 minutes, hours, days or weeks, "
                        + "such as 90d, 12h, 30m or 2w; found '\(expires)'\n",
                    code: 2)
            }
            expiry = Date().addingTimeInterval(seconds)
        }
        do {
            let store = try StoreLocation.open(database)
            let (token, record) = try create(name: name, role: role, expiresAt: expiry, store: store)
            try store.recordAudit(
                AuditRecord(
                    at: record.createdAt, actor: AuditActor.commandLine, action: "token.create",
                    target: "token/\(name)",
                    address: "local", details: "role \(role.rawValue)"))
            let lifetime = expiry.map { "expires \(StoredDate.iso8601($0))" } ?? "does not expire"
            return Output(
                text: token + "\n",
                errors: "token '\(name)' (\(role.rawValue), \(lifetime)) created; it is shown only now: keep it in a "
                    + "secret store and send it as `Authorization: Bearer TOKEN`\n")
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 1)
        }
    }

    /// `devflow tokens list`.
    public static func list(database: String) -> Output {
        do {
            let tokens = try StoreLocation.open(database).tokens()
            let now = Date()
            var rows = [["NAME", "ROLE", "CREATED", "EXPIRES", "LAST USED", "STATE"]]
            for token in tokens {
                let state = token.revokedAt != nil ? "revoked" : token.isValid(at: now) ? "valid" : "expired"
                rows.append([
                    token.name, token.role.rawValue, StoredDate.iso8601(token.createdAt),
                    token.expiresAt.map(StoredDate.iso8601) ?? "never", token.lastUsedAt.map(StoredDate.iso8601) ?? "-",
                    state,
                ])
            }
            return Output(text: table(rows))
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 1)
        }
    }

    /// `devflow tokens revoke NAME`.
    public static func revoke(name: String, database: String) -> Output {
        do {
            let store = try StoreLocation.open(database)
            guard try store.revokeToken(named: name, at: Date()) != nil else {
                return Output(errors: "devflow: there is no valid token named '\(name)'\n", code: 1)
            }
            try store.recordAudit(
                AuditRecord(
                    at: Date(), actor: AuditActor.commandLine, action: "token.revoke", target: "token/\(name)",
                    address: "local"))
            return Output(text: "token '\(name)' revoked\n")
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 1)
        }
    }

    /// `devflow audit [--since --until] [--format text|json|csv]`.
    public static func audit(since: String?, until: String?, format: String, database: String) -> Output {
        func parse(_ text: String?, _ flag: String) -> Result<Date?, Output> {
            guard let text else { return .success(nil) }
            let formatter = ISO8601DateFormatter()
            if let date = formatter.date(from: text) { return .success(date) }
            formatter.formatOptions = [.withFullDate]
            if let date = formatter.date(from: text) { return .success(date) }
            return .failure(
                Output(
                    errors: "devflow: \(flag) must be a date (2026-12-01) or an ISO 8601 time; found '\(text)'\n",
                    code: 2))
        }
        let window: (Date?, Date?)
        switch (parse(since, "--since"), parse(until, "--until")) {
        case (.success(let start), .success(let end)): window = (start, end)
        case (.failure(let output), _), (_, .failure(let output)): return output
        }
        guard ["text", "json", "csv"].contains(format) else {
            return Output(errors: "devflow: --format must be text, json or csv; found '\(format)'\n", code: 2)
        }
        do {
            let entries = try StoreLocation.open(database).audit(since: window.0, until: window.1, limit: Int.max)
            switch format {
            case "json": return Output(text: JSONValue.array(entries.map(APIRepresentations.audit)).compactJSON + "\n")
            case "csv":
                var text = "at,actor,action,target,address,details\n"
                for entry in entries {
                    text +=
                        [
                            StoredDate.iso8601(entry.at), entry.actor, entry.action, entry.target, entry.address,
                            entry.details ?? "",
                        ].map(csvField).joined(separator: ",") + "\n"
                }
                return Output(text: text)
            default:
                var rows = [["AT (UTC)", "ACTOR", "ACTION", "TARGET", "ADDRESS", "DETAILS"]]
                for entry in entries {
                    rows.append([
                        StoredDate.iso8601(entry.at), entry.actor, entry.action, entry.target, entry.address,
                        entry.details ?? "",
                    ])
                }
                return Output(text: table(rows))
            }
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 1)
        }
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Rows as left-aligned columns two spaces apart.
    static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        let widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }
}
