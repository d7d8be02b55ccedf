import DevFlowStore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// A value that can be bound to a statement's `?` placeholder.
protocol SQLBindable {
    /// Appends the value to `bindings`.
    func bind(into bindings: inout PostgresBindings)
}

extension String: SQLBindable {
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Int: SQLBindable {
    func bind(into bindings: inout PostgresBindings) { bindings.append(Int64(self)) }
}

extension Int64: SQLBindable {
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Int32: SQLBindable {
    func bind(into bindings: inout PostgresBindings) { bindings.append(Int64(self)) }
}

extension Bool: SQLBindable {
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Double: SQLBindable {
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Date: SQLBindable {
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension RunStatus: SQLBindable {
    func bind(into bindings: inout PostgresBindings) { bindings.append(rawValue) }
}

extension SQLValue: SQLBindable {
    func bind(into bindings: inout PostgresBindings) {
        switch self {
        case .text(let text): bindings.append(text)
        case .integer(let integer): bindings.append(integer)
        case .date(let date): bindings.append(date)
        }
    }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    func bind(into bindings: inout PostgresBindings) {
        if let value = self { value.bind(into: &bindings) } else { bindings.appendNull() }
    }
}

/// One connection, in a transaction or not, with the store's statements written as in SQLite: `?` placeholders
/// (numbered `$1 …` here) and camelCase column names, which PostgreSQL folds to lower case as the schema does.
struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs `sql`; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ values: [any SQLBindable] = []) throws -> Int {
        try run(sql, values).metadata.rows ?? 0
    }

    /// Runs several statements without parameters, one at a time (the extended protocol postgres-nio speaks takes one
    /// statement per query), as a migration step does.
    func script(_ sql: String) throws {
        for statement in Self.statements(sql) { try execute(statement) }
    }

    /// `sql` split at the semicolons that end its statements (not those inside a `$$` function body).
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var inBody = false
        var previous: Character = " "
        for character in sql {
            if character == "$" && previous == "$" { inBody.toggle() }
            if character == ";" && !inBody {
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !statement.isEmpty { statements.append(statement) }
                current = ""
            } else {
                current.append(character)
            }
            previous = character == "$" && previous == "$" ? " " : character
        }
        let last = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !last.isEmpty { statements.append(last) }
        return statements
    }

    /// The rows `sql` returns.
    func rows(_ sql: String, _ values: [any SQLBindable] = []) throws -> [PostgresRow] {
        try run(sql, values).rows
    }

    /// The rows of `sql` decoded as `T` by column name.
    func fetchAll<T: Decodable>(_ type: T.Type, _ sql: String, _ values: [any SQLBindable] = []) throws -> [T] {
        try rows(sql, values).map { try T(from: RowDecoder(row: $0.makeRandomAccess())) }
    }

    /// The first row of `sql` decoded as `T`, if there is one.
    func fetchOne<T: Decodable>(_ type: T.Type, _ sql: String, _ values: [any SQLBindable] = []) throws -> T? {
        try rows(sql, values).first.map { try T(from: RowDecoder(row: $0.makeRandomAccess())) }
    }

    /// The first column of the first row of `sql` (nil when there is no row or the value is NULL).
    func value<T: Decodable>(_ type: T.Type, _ sql: String, _ values: [any SQLBindable] = []) throws -> T? {
        guard let row = try rows(sql, values).first, let cell = row.first(where: { _ in true }) else { return nil }
        if cell.bytes == nil { return nil }
        return try CellDecoder(cell: cell, codingPath: []).decode(T.self)
    }

    /// The first column of every row of `sql`.
    func column<T: Decodable>(_ type: T.Type, _ sql: String, _ values: [any SQLBindable] = []) throws -> [T] {
        try rows(sql, values).compactMap { row in
            guard let cell = row.first(where: { _ in true }), cell.bytes != nil else { return nil }
            return try CellDecoder(cell: cell, codingPath: []).decode(T.self)
        }
    }

    /// Inserts `record` (its encoded properties as columns, `id` left to the table's sequence) into `table`;
    /// returns the new row's `id` when the table has one (`keepingID` inserts the record's own `id`, a key that is not
    /// a sequence's). With `onConflict` (e.g. `(forge, deliveryKey)`), a row
    /// that would break that unique key is not inserted and nil is returned.
    @discardableResult
    func insert<T: Encodable>(
        _ record: T, into table: String, returningID: Bool = true, onConflict: String? = nil, keepingID: Bool = false
    ) throws -> Int64? {
        let encoder = RowEncoder()
        try record.encode(to: encoder)
        let columns = encoder.columns.filter { keepingID || $0.name != "id" }
        let names = columns.map { quoted($0.name) }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let sql =
            "INSERT INTO \(table) (\(names)) VALUES (\(marks))"
            + (onConflict.map { " ON CONFLICT \($0) DO NOTHING" } ?? "") + (returningID ? " RETURNING id" : "")
        let result = try rows(sql, columns.map(\.value))
        guard returningID, let row = result.first else { return nil }
        return try row.decode(Int64.self)
    }

    private func run(_ sql: String, _ values: [any SQLBindable]) throws -> PostgresQueryResult {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { value.bind(into: &bindings) }
        let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: bindings)
        return try connection.query(query, logger: logger).wait()
    }

    /// `sql` with its `?` placeholders (outside quotes) numbered `$1`, `$2`, … as PostgreSQL expects.
    static func numbered(_ sql: String) -> String {
        guard sql.utf8.contains(UInt8(ascii: "?")) else { return sql }
        var result = ""
        result.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                result.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                result.append(character)
            } else if character == "?" {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// A column name as the schema spells it: lower case, quoted where PostgreSQL reserves the word.
    private func quoted(_ name: String) -> String {
        let lower = name.lowercased()
        return Self.reserved.contains(lower) ? "\"\(lower)\"" : lower
    }

    /// The column names of DevFlow's schema that PostgreSQL reserves.
    static let reserved: Set<String> = ["column", "window"]
}
