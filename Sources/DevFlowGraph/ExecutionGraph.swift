import Crypto
import Foundation

/// The compiled pipeline: the one artifact lint, plan, run and serve share. No YAML types.
public struct ExecutionGraph: Hashable, Sendable, Codable {
    /// The version of this IR's format.
    public var formatVersion: Int
    /// The pipeline's name.
    public var name: String
    /// Events and filters.
    public var triggers: Triggers
    /// Pipeline-level environment.
    public var env: [String: String]
    /// Declared secret names.
    public var secrets: [String]
    /// The concurrency group template, if any.
    public var concurrencyGroup: String?
    /// Whether a newer run cancels one in progress in the same group.
    public var cancelInProgress: Bool
    /// The worker labels a run of this pipeline needs (`runs_on:`); nil when any worker will do.
    public var labels: [String]?
    /// Nodes in execution order: by level, then id.
    public var nodes: [Node]
    /// Node ids grouped by topological level.
    public var levels: [[String]]
    /// Where each node was defined; not part of the hashed content.
    public var sourceMap: [String: SourceLocation]?

    /// The current `formatVersion`.
    public static let currentFormatVersion = 1

    /// Creates a graph.
    public init(
        name: String, triggers: Triggers, env: [String: String], secrets: [String], concurrencyGroup: String?,
        cancelInProgress: Bool, nodes: [Node], levels: [[String]], sourceMap: [String: SourceLocation]?
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.name = name
        self.triggers = triggers
        self.env = env
        self.secrets = secrets
        self.concurrencyGroup = concurrencyGroup
        self.cancelInProgress = cancelInProgress
        self.nodes = nodes
        self.levels = levels
        self.sourceMap = sourceMap
    }

    /// The node with `id`, if any.
    public func node(_ id: String) -> Node? { nodes.first { $0.id == id } }

    /// Canonical JSON of the content: sorted keys, no whitespace, no source map. Same pipeline, same bytes.
    public func canonicalJSON() -> Data {
        var content = withoutSourceMap
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard nodes.count >= 256, cores > 1 else { return Self.canonicalEncoding(content) }
        // Large graphs: the node array is encoded in slices on every core and spliced into the rest, which is
        // byte for byte what one encoding gives (array elements are encoded independently, comma-separated).
        content.nodes = []
        let shell = Self.canonicalEncoding(content)
        let marker = Data(#""nodes":[],"secrets":"#.utf8)
        guard let at = shell.firstRange(of: marker) else { return Self.canonicalEncoding(withoutSourceMap) }
        let size = (nodes.count + cores - 1) / cores
        let slices = stride(from: 0, to: nodes.count, by: size).map { Array(nodes[$0..<min($0 + size, nodes.count)]) }
        let parts = ParallelMap.map(slices) { Self.canonicalEncoding($0).dropFirst().dropLast() }  // no brackets
        var data = Data(shell[..<at.lowerBound])
        data.append(contentsOf: #""nodes":["#.utf8)
        for (index, part) in parts.enumerated() {
            if index > 0 { data.append(UInt8(ascii: ",")) }
            data.append(part)
        }
        data.append(contentsOf: #"],"secrets":"#.utf8)
        data.append(shell[at.upperBound...])
        return data
    }

    /// Sorted keys, no whitespace, slashes as they are. Encoding plain value types to JSON cannot fail; a failure
    /// is a broken invariant.
    static func canonicalEncoding<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { preconditionFailure("ExecutionGraph is not encodable") }
        return data
    }

    /// This graph with no source map.
    var withoutSourceMap: ExecutionGraph {
        var content = self
        content.sourceMap = nil
        return content
    }

    /// SHA-256 of `canonicalJSON()`, lower-case hex. Comments, formatting and key order do not change it.
    public var contentHash: String { Self.hash(of: canonicalJSON()) }

    /// SHA-256 of canonical JSON bytes, lower-case hex.
    public static func hash(of canonical: Data) -> String {
        SHA256.hash(data: canonical).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Pretty JSON for people and golden files: sorted keys, the hash and the source map included.
    public func prettyJSON() -> String {
        struct Envelope: Encodable {
            let hash: String
            let graph: ExecutionGraph
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(Envelope(hash: contentHash, graph: self)) else {
            preconditionFailure("ExecutionGraph is not encodable")
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
