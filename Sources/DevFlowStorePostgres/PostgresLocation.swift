import Foundation
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL store lives, read from a `postgres://user:password@host:port/database?sslmode=…` URL (the
/// libpq form: `postgresql://` works too, and `?host=/path` names a Unix socket directory).
public struct PostgresLocation: Sendable, Equatable {
    /// TLS, as libpq's `sslmode` names it (only the modes DevFlow can honour).
    public enum TLSMode: String, Sendable {
        /// Plain TCP (the default: servers on a private network, tests).
        case disable
        /// TLS when the server offers it.
        case prefer
        /// TLS or no connection.
        case require
    }

    /// Host name or address (a socket directory when it starts with `/`).
    public var host: String
    /// TCP port (also the socket's suffix, `.s.PGSQL.<port>`).
    public var port: Int
    /// Role to connect as.
    public var user: String
    /// Its password, if the server asks for one.
    public var password: String?
    /// The database.
    public var database: String
    /// TLS mode.
    public var tls: TLSMode

    /// Parses `url`; the error says which part is wrong and what a valid URL looks like.
    public init(url: String) throws {
        let example = "postgres://devflow:secret@db.example.com:5432/devflow"
        guard let components = URLComponents(string: url),
            let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql"
        else {
            throw StoreLocationError("'\(Self.masked(url))' is not a PostgreSQL URL; write it as \(example)")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        let socketHost = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        guard let host = socketHost ?? components.host.flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw StoreLocationError("'\(Self.masked(url))' names no host; write it as \(example)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw StoreLocationError(
                "'\(Self.masked(url))' names no database (the path after the host); e.g. \(example)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreLocationError("'\(Self.masked(url))' names no user (before the @); e.g. \(example)")
        }
        let mode = query["sslmode"] ?? "disable"
        guard let tls = TLSMode(rawValue: mode) else {
            throw StoreLocationError(
                "sslmode '\(mode)' in '\(Self.masked(url))' is not supported; use disable, prefer or require")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
        self.tls = tls
    }

    /// Whether `location` (a `--db` value) names PostgreSQL rather than a SQLite file.
    public static func isPostgres(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// The URL with its password replaced by `***`, for messages and logs.
    public static func masked(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    /// postgres-nio's configuration for this location.
    func configuration() throws -> PostgresConnection.Configuration {
        let tlsSetting: PostgresConnection.Configuration.TLS
        switch tls {
        case .disable: tlsSetting = .disable
        case .prefer: tlsSetting = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tlsSetting = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        if host.hasPrefix("/") {
            return PostgresConnection.Configuration(
                unixSocketPath: "\(host)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tlsSetting)
    }
}

/// A `--db` or `db:` value that names no usable store.
public struct StoreLocationError: Error, CustomStringConvertible, Sendable {
    /// What is wrong and what to write instead.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
