import Foundation

/// Serialises opening and migrating one database file across processes.
///
/// Without it, processes that open a new database at once race in the migrator: each sees no schema and one fails
/// with `table "run" already exists`. An exclusive `flock` on `<database>.migrate-lock`, held only while migrating,
/// makes the second process wait and then find the schema in place.
enum MigrationLock {
    /// Runs `body` holding the lock for the database at `databasePath` (no lock for `:memory:`).
    static func holding<T>(databasePath: String, _ body: () throws -> T) throws -> T {
        guard databasePath != ":memory:" else { return try body() }
        let lockPath = databasePath + ".migrate-lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError(
                "cannot open \(lockPath): \(String(cString: strerror(errno))); check the directory's permissions")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw StoreError("cannot lock \(lockPath): \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
