import DevFlowStore
import DevFlowStorePostgres
import DevFlowStoreTestSupport
import Foundation
import Testing

/// The backends the shared store suite runs against: SQLite always; PostgreSQL when `DEVFLOW_TEST_POSTGRES_URL`
/// names a server (`scripts/postgres.sh start` prints one). On CI (`CI=true`) PostgreSQL is required: a missing URL
/// fails its tests instead of skipping them.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqliteMemory = "sqlite in memory"
    case sqliteFile = "sqlite file"
    case postgres = "postgresql"

    var testDescription: String { rawValue }

    /// The backends this machine can run.
    static var available: [StoreBackend] {
        let environment = ProcessInfo.processInfo.environment
        if environment["DEVFLOW_TEST_POSTGRES_URL"] != nil || environment["CI"] == "true" { return allCases }
        return [.sqliteMemory, .sqliteFile]
    }

    /// The backends that share a store between processes (a file or a server, not memory).
    static var shared: [StoreBackend] { available.filter { $0 != .sqliteMemory } }

    /// A new, empty store of this backend, and what removes it.
    func open() throws -> OpenedStore {
        switch self {
        case .sqliteMemory:
            return OpenedStore(store: try SQLiteRunStore(path: ":memory:"), location: ":memory:", remove: {})
        case .sqliteFile:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-store-\(UUID())")
            let path = directory.appendingPathComponent("devflow.sqlite").path
            return OpenedStore(
                store: try SQLiteRunStore(path: path), location: path,
                remove: { try? FileManager.default.removeItem(at: directory) })
        case .postgres:
            let url = try PostgresTestDatabase.create()
            return OpenedStore(store: try PostgresRunStore(url: url), location: url, remove: {})
        }
    }

    /// Opens another store on the same database as `opened` (another process's view of it).
    func reopen(_ opened: OpenedStore) throws -> any ServerStore {
        switch self {
        case .sqliteMemory: throw StoreError("an in-memory store cannot be opened twice")
        case .sqliteFile: return try SQLiteRunStore(path: opened.location)
        case .postgres: return try PostgresRunStore(url: opened.location)
        }
    }
}

/// A store made for one test.
struct OpenedStore {
    /// The store.
    let store: any ServerStore
    /// Its path or URL.
    let location: String
    /// Deletes its file (a PostgreSQL test database lives as long as the test cluster).
    let remove: () -> Void
}
