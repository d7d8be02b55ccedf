import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// A fixed-size pool of PostgreSQL connections with a blocking interface, as the store protocols are (GRDB blocks
/// the same way). Queries run on SwiftNIO's event loops and the caller's thread waits for their futures, so a
/// caller on Swift's cooperative pool never needs another cooperative thread to make progress.
///
/// A connection that breaks (PostgreSQL restarted, a network cut) is dropped and a new one is opened for the next
/// caller; a transaction that failed that way before its `COMMIT` was sent is run again once on a new connection.
final class PostgresPool: @unchecked Sendable {
    private let location: PostgresLocation
    private let configuration: PostgresConnection.Configuration
    private let capacity: Int
    /// The logger of the pool's connections.
    let logger: Logger
    private let group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var opened = 0
    private var nextID = 0
    private var closed = false

    /// A pool of at most `capacity` connections to `location`; none is opened until one is needed.
    init(location: PostgresLocation, capacity: Int, logger: Logger) throws {
        self.location = location
        self.configuration = try location.configuration()
        self.capacity = max(1, capacity)
        self.logger = logger
    }

    /// Runs `body` on a connection of its own, in autocommit mode.
    func withConnection<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try withRetry { session, _ in try body(session) }
    }

    /// Runs `body` in one transaction (`BEGIN` … `COMMIT`, or `ROLLBACK` when it throws).
    func transaction<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try withRetry { session, committing in
            try session.execute("BEGIN")
            let result: T
            do {
                result = try body(session)
            } catch {
                if !PostgresPool.isConnectionFailure(error) { _ = try? session.execute("ROLLBACK") }
                throw error
            }
            committing = true
            try session.execute("COMMIT")
            return result
        }
    }

    /// Closes every idle connection; connections in use close when they are returned.
    func close() {
        condition.lock()
        closed = true
        let connections = idle
        idle = []
        opened -= connections.count
        condition.unlock()
        for connection in connections { try? connection.close().wait() }
    }

    private func withRetry<T>(_ body: (PostgresSession, inout Bool) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try checkOut()
            var committing = false
            do {
                let result = try body(PostgresSession(connection: connection, logger: logger), &committing)
                checkIn(connection, broken: false)
                return result
            } catch {
                let broken = Self.isConnectionFailure(error) || connection.isClosed
                checkIn(connection, broken: broken)
                // Only a failure of the connection itself is retried, and never once COMMIT may have reached the server.
                guard broken, !committing, attempt < 3 else { throw describe(error) }
            }
        }
    }

    /// `error` with PostgreSQL's side said for people; the store's own errors (`StoreError`, …) pass unchanged.
    private func describe(_ error: any Error) -> any Error {
        if error is PSQLError || error is ChannelError || error is IOError || error is NIOConnectionError {
            return PostgresStoreError(error, location: location)
        }
        return error
    }

    private func checkOut() throws -> PostgresConnection {
        condition.lock()
        while idle.isEmpty && opened >= capacity && !closed { condition.wait() }
        if closed {
            condition.unlock()
            throw StoreLocationError("the PostgreSQL store was closed")
        }
        if let connection = idle.popLast() {
            condition.unlock()
            if !connection.isClosed { return connection }
            condition.lock()
            opened -= 1
            condition.unlock()
            return try checkOut()
        }
        opened += 1
        condition.unlock()
        do {
            return try openDedicatedConnection()
        } catch {
            condition.lock()
            opened -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    /// A new connection with the next id: the pool's own, or, outside the pool, one a listener holds open (the
    /// caller closes it).
    func openDedicatedConnection() throws -> PostgresConnection {
        condition.lock()
        nextID += 1
        let id = nextID
        condition.unlock()
        do {
            return try connect(id: id)
        } catch {
            throw describe(error)
        }
    }

    /// Opens a connection, waiting up to 10 s for a server that is starting or restarting.
    private func connect(id: Int) throws -> PostgresConnection {
        let deadline = Date().addingTimeInterval(10)
        while true {
            do {
                return try PostgresConnection.connect(
                    on: group.next(), configuration: configuration, id: id, logger: logger
                ).wait()
            } catch {
                guard Self.isUnreachable(error), Date() < deadline else { throw error }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }

    private func checkIn(_ connection: PostgresConnection, broken: Bool) {
        condition.lock()
        if broken || closed {
            opened -= 1
            condition.signal()
            condition.unlock()
            try? connection.close().wait()
            return
        }
        idle.append(connection)
        condition.signal()
        condition.unlock()
    }

    /// Whether `error` means the connection is gone (so the work may be retried on another one).
    static func isConnectionFailure(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            switch error.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
                return true
            default:
                // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now.
                if let state = error.serverInfo?[.sqlState], state.hasPrefix("57P") { return true }
                return false
            }
        }
        return error is ChannelError || error is IOError
    }

    /// Whether connecting failed because nothing answers yet (refused, reset, the server still starting).
    private static func isUnreachable(_ error: any Error) -> Bool {
        if error is IOError || error is ChannelError || error is NIOConnectionError { return true }
        if let error = error as? PSQLError {
            if error.code == .connectionError || error.code == .serverClosedConnection { return true }
            if let state = error.serverInfo?[.sqlState], state == "57P03" { return true }
            return error.underlying is IOError || error.underlying is NIOConnectionError
        }
        return false
    }
}

/// A PostgreSQL failure for people: the server's message, its SQLSTATE and the statement, never the password.
struct PostgresStoreError: Error, CustomStringConvertible {
    let underlying: any Error
    let location: PostgresLocation

    init(_ error: any Error, location: PostgresLocation) {
        if let error = error as? PostgresStoreError {
            self = error
        } else {
            self.underlying = error
            self.location = location
        }
    }

    var description: String {
        let place = "PostgreSQL at \(location.host):\(location.port)/\(location.database)"
        if let error = underlying as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                let query = error.query.map { "; statement: \($0.sql)" } ?? ""
                return "\(place): \(message)\(state)\(query)"
            }
            if let cause = error.underlying { return "\(place): cannot connect: \(cause)" }
            return "\(place): \(error.code)"
        }
        return "\(place): \(underlying)"
    }
}
