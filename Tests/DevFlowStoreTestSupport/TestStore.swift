import DevFlowStore
import DevFlowStorePostgres
import Foundation

/// The store the tests that touch one use. SQLite by default; with `DEVFLOW_TEST_STORE=postgres` (and
/// `DEVFLOW_TEST_POSTGRES_URL` naming a server), a new PostgreSQL database per store, so that the server and runner
/// suites run against both backends (`scripts/test.sh` runs them twice).
public enum TestStore {
    /// Whether stores are PostgreSQL databases in this test process.
    public static var usesPostgres: Bool { ProcessInfo.processInfo.environment["DEVFLOW_TEST_STORE"] == "postgres" }

    /// Where a new store lives: `sqlitePath`, or a new PostgreSQL database.
    public static func location(sqlitePath: String) throws -> String {
        usesPostgres ? try PostgresTestDatabase.create() : sqlitePath
    }

    /// A new, empty store: SQLite at `sqlitePath` (in memory by default), or a new PostgreSQL database.
    public static func open(sqlitePath: String = ":memory:") throws -> any ServerStore {
        try StoreLocation.open(try location(sqlitePath: sqlitePath))
    }
}

/// Test databases on the server `DEVFLOW_TEST_POSTGRES_URL` names: each test gets a database of its own.
public enum PostgresTestDatabase {
    /// Creates an empty database and returns its URL.
    public static func create() throws -> String {
        guard let admin = ProcessInfo.processInfo.environment["DEVFLOW_TEST_POSTGRES_URL"] else {
            throw StoreError(
                "DEVFLOW_TEST_POSTGRES_URL is not set: start PostgreSQL with `scripts/postgres.sh start DIR` and "
                    + "export the URL it prints (scripts/test.sh does both)")
        }
        let name = "devflow_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return try PostgresAdmin.createDatabase(name, on: admin)
    }
}
