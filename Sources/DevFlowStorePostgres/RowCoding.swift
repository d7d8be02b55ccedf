import Foundation
import NIOCore
import PostgresNIO

/// Decodes a store record from a row by column name (PostgreSQL folds the schema's camelCase names to lower case,
/// so the record's coding key is looked up in lower case).
struct RowDecoder: Decoder {
    let row: PostgresRandomAccessRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowContainer<Key>(row: row, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(
            [Any].self, .init(codingPath: codingPath, debugDescription: "a row decodes as a keyed record"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard row.count > 0 else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "empty row"))
        }
        return CellDecoder(cell: row[0], codingPath: codingPath)
    }
}

private struct RowContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: PostgresRandomAccessRow
    let codingPath: [any CodingKey]

    var allKeys: [Key] {
        (0..<row.count).compactMap { Key(stringValue: row[$0].columnName) }
    }

    func contains(_ key: Key) -> Bool { row.contains(key.stringValue.lowercased()) }

    private func cell(_ key: Key) throws -> PostgresCell {
        let name = key.stringValue.lowercased()
        guard row.contains(name) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "the row has no column \(name)"))
        }
        return row[name]
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard row.contains(key.stringValue.lowercased()) else { return true }
        return try cell(key).bytes == nil
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try CellDecoder(cell: try cell(key), codingPath: codingPath + [key]).decode(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        throw DecodingError.typeMismatch(
            type, .init(codingPath: codingPath + [key], debugDescription: "a column holds no nested record"))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(
            [Any].self, .init(codingPath: codingPath + [key], debugDescription: "a column holds no list"))
    }

    func superDecoder() throws -> any Decoder { RowDecoder(row: row, codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { RowDecoder(row: row, codingPath: codingPath) }
}

/// Decodes one cell: text, integers of any width, booleans, doubles and timestamps, and the types built on them
/// (a `RunStatus` decodes from its raw text).
struct CellDecoder: Decoder, SingleValueDecodingContainer {
    let cell: PostgresCell
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw mismatch(type)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw mismatch([Any].self) }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { cell.bytes == nil }

    func decode(_ type: Bool.Type) throws -> Bool { try plain(Bool.self) }
    func decode(_ type: String.Type) throws -> String { try plain(String.self) }
    func decode(_ type: Double.Type) throws -> Double { try plain(Double.self) }
    func decode(_ type: Float.Type) throws -> Float { Float(try plain(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(UInt64.self) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if type == Date.self { return try plain(Date.self) as! T }
        return try T(from: self)
    }

    private func plain<T: PostgresDecodable>(_ type: T.Type) throws -> T {
        guard cell.bytes != nil else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: codingPath, debugDescription: "column \(cell.columnName) is NULL"))
        }
        return try cell.decode(T.self)
    }

    /// Any integer column (int2, int4, int8, or a count's numeric) as `T`, checked to fit.
    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let wide: Int64
        switch cell.dataType {
        case .int2: wide = Int64(try plain(Int16.self))
        case .int4: wide = Int64(try plain(Int32.self))
        default: wide = try plain(Int64.self)
        }
        guard let value = T(exactly: wide) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "\(wide) in \(cell.columnName) does not fit \(T.self)"))
        }
        return value
    }

    private func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "column \(cell.columnName) is a scalar"))
    }
}

/// Collects a record's properties as (column, value) pairs for an INSERT.
final class RowEncoder: Encoder {
    var columns: [(name: String, value: any SQLBindable)] = []
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(RowEncodingContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        fatalError("store records encode as keyed containers")
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        fatalError("store records encode as keyed containers")
    }
}

private struct RowEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: RowEncoder
    var codingPath: [any CodingKey] { [] }

    private func add(_ key: Key, _ value: any SQLBindable) { encoder.columns.append((key.stringValue, value)) }

    mutating func encodeNil(forKey key: Key) throws { add(key, String?.none) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { add(key, value) }
    mutating func encode(_ value: String, forKey key: Key) throws { add(key, value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { add(key, value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { add(key, value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { add(key, value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { add(key, value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        switch value {
        case let value as any SQLBindable: add(key, value)
        case let value as any RawRepresentable<String>: add(key, value.rawValue)
        default:
            throw EncodingError.invalidValue(
                value, .init(codingPath: [key], debugDescription: "\(T.self) has no column type"))
        }
    }

    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        guard let value else { return try encodeNil(forKey: key) }
        try encode(value, forKey: key)
    }

    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { add(key, value) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { add(key, value) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { add(key, value) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { add(key, value) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { add(key, value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        fatalError("store records have no nested records")
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        fatalError("store records have no nested lists")
    }

    mutating func superEncoder() -> any Encoder { encoder }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
}
