import DevFlowStore
import Foundation
import Logging

/// The store a `--db` value or a `db:` setting names: a `postgres://` URL (the shared store of several servers
/// and workers) or the path of a SQLite file (one machine).
public enum StoreLocation {
    /// Opens (creating and migrating) the store at `location`.
    public static func open(_ location: String) throws -> any ServerStore {
        if PostgresLocation.isPostgres(location) { return try PostgresRunStore(url: location) }
        return try SQLiteRunStore(path: location)
    }

    /// `location` for messages: a URL's password masked.
    public static func display(_ location: String) -> String {
        PostgresLocation.isPostgres(location) ? PostgresLocation.masked(location) : location
    }
}

/// Set-up on a PostgreSQL server, outside any store: what a first installation or a test needs.
public enum PostgresAdmin {
    /// Creates the database `name` (letters, digits and `_` only) on the server `url` connects to (as a role that
    /// may create databases); returns `url` naming the new database.
    public static func createDatabase(_ name: String, on url: String) throws -> String {
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || ($0 < 128 && isalnum(Int32($0)) != 0) })
        else {
            throw StoreLocationError("'\(name)' is not a database name DevFlow creates: use letters, digits and _")
        }
        let location = try PostgresLocation(url: url)
        let pool = try PostgresPool(location: location, capacity: 1, logger: Logger(label: "devflow.store.admin"))
        defer { pool.close() }
        try pool.withConnection { session in try session.execute("CREATE DATABASE \(name)") }
        guard var components = URLComponents(string: url) else { throw StoreLocationError("'\(url)' is not a URL") }
        components.path = "/" + name
        guard let created = components.string else { throw StoreLocationError("'\(url)' is not a URL") }
        return created
    }
}
