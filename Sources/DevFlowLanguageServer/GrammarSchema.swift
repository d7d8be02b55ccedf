import DevFlowGraph
import Foundation

/// The DSL's grammar for editors: `Grammar/devflow.schema.json` (embedded), walked by key path.
///
/// A path is the keys from the document's root to a node, with `[]` for a list item and `*` matching the entries of a
/// mapping whose keys are names (step ids, agent ids, policy names).
struct GrammarSchema: Sendable {
    /// What the grammar says about one node.
    struct Node: Sendable {
        /// The node's documentation.
        var description: String?
        /// Its keys and their documentation, when it is a mapping with fixed keys.
        var properties: [(name: String, description: String?)]
        /// Whether it is a mapping whose keys are names the user chooses.
        var hasNamedEntries: Bool
        /// Closed set of scalar values, if any.
        var enumValues: [String]
        /// Whether it accepts booleans.
        var acceptsBoolean: Bool
        /// Its default, as text.
        var defaultValue: String?
        /// The types it accepts, for hover.
        var types: [String]
    }

    let root: JSONValue
    let definitions: [String: JSONValue]

    /// The embedded grammar.
    static let shared: GrammarSchema = {
        let value =
            (try? JSONDecoder().decode(JSONValue.self, from: Data(PackageResources.devflow_schema_json))) ?? .null
        return GrammarSchema(root: value)
    }()

    init(root: JSONValue) {
        self.root = root
        self.definitions = root["definitions"]?.objectMembers ?? [:]
    }

    /// The schema alternatives a node stands for: `$ref`, `allOf`, `oneOf`, `anyOf`, `if`/`then`/`else` resolved.
    func alternatives(_ schema: JSONValue, depth: Int = 0) -> [JSONValue] {
        guard depth < 16, case .object = schema else { return [] }
        var result = [schema]
        if let reference = schema["$ref"]?.text, reference.hasPrefix("#/definitions/"),
            let target = definitions[String(reference.dropFirst("#/definitions/".count))]
        {
            result += alternatives(target, depth: depth + 1)
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for item in schema[key]?.items ?? [] { result += alternatives(item, depth: depth + 1) }
        }
        for key in ["then", "else"] {
            if let branch = schema[key] { result += alternatives(branch, depth: depth + 1) }
        }
        return result
    }

    /// The schema of the node at `path`, as its alternatives; empty when the path leaves the grammar.
    func schemas(at path: [String]) -> [JSONValue] {
        var current = alternatives(root)
        for segment in path {
            var next: [JSONValue] = []
            for schema in current {
                if segment == "[]" {
                    if let items = schema["items"] { next += alternatives(items) }
                    continue
                }
                if let property = schema["properties"]?[segment], case .object = property {
                    next += alternatives(property)
                } else if let additional = schema["additionalProperties"], case .object = additional {
                    next += alternatives(additional)
                }
            }
            current = next
            if current.isEmpty { return [] }
        }
        return current
    }

    /// What the grammar says about the node at `path`, or nil outside it (computed once per path).
    func node(at path: [String]) -> Node? {
        if let cached = cache.lookup(path) { return cached }
        let node = computeNode(at: path)
        cache.store(path, node)
        return node
    }

    private let cache = NodeCache()

    /// Nodes already computed, by path; paths differ only by the names users choose, so it stays small.
    private final class NodeCache: @unchecked Sendable {
        private let lock = NSLock()
        private var nodes: [[String]: Node?] = [:]

        func lookup(_ path: [String]) -> Node?? {
            lock.lock()
            defer { lock.unlock() }
            return nodes[path]
        }

        func store(_ path: [String], _ node: Node?) {
            lock.lock()
            defer { lock.unlock() }
            if nodes.count > 4_096 { nodes.removeAll() }
            nodes[path] = node
        }
    }

    private func computeNode(at path: [String]) -> Node? {
        let schemas = schemas(at: path)
        guard !schemas.isEmpty else { return nil }
        var node = Node(
            description: nil, properties: [], hasNamedEntries: false, enumValues: [], acceptsBoolean: false,
            defaultValue: nil, types: [])
        var seen = Set<String>()
        for schema in schemas {
            if node.description == nil { node.description = schema["description"]?.text }
            if case .object(let properties) = schema["properties"] ?? .null {
                for name in properties.keys.sorted() where !seen.contains(name) {
                    // `"with": false` in an `if`/`then` forbids a key; it is not a key of its own.
                    guard case .object = properties[name]! else { continue }
                    seen.insert(name)
                    let description = alternatives(properties[name]!).lazy.compactMap { $0["description"]?.text }.first
                    node.properties.append((name, description))
                }
            }
            if case .object = schema["additionalProperties"] ?? .null { node.hasNamedEntries = true }
            for value in schema["enum"]?.items ?? [] {
                if let text = value.text, !node.enumValues.contains(text) { node.enumValues.append(text) }
            }
            var types = schema["type"].map { $0.items ?? [$0] } ?? []
            if schema["type"] == nil, schema["enum"] != nil { types = [] }
            for type in types.compactMap(\.text) where !node.types.contains(type) {
                node.types.append(type)
                if type == "boolean" { node.acceptsBoolean = true }
            }
            if node.defaultValue == nil, let value = schema["default"] {
                node.defaultValue = value.text ?? value.compactJSON
            }
        }
        node.properties.sort { $0.name < $1.name }
        return node
    }

    /// The keys a mapping at `path` may no longer take given the keys it has: the other branches of an exactly-one-of
    /// (`run` or `agent`), and keys an `if`/`then` forbids (`with` in a step that has `run`).
    func excludedKeys(at path: [String], given present: [String]) -> Set<String> {
        var excluded: Set<String> = []
        for schema in schemas(at: path) {
            let branches = (schema["oneOf"]?.items ?? []).map { ($0["required"]?.items ?? []).compactMap(\.text) }
            if let chosen = branches.first(where: { !$0.isEmpty && $0.allSatisfy(present.contains) }) {
                for branch in branches where branch != chosen { excluded.formUnion(branch) }
            }
            for rule in schema["allOf"]?.items ?? [] {
                let required = (rule["if"]?["required"]?.items ?? []).compactMap(\.text)
                guard !required.isEmpty, required.allSatisfy(present.contains),
                    case .object(let forbidden) = rule["then"]?["properties"] ?? .null
                else { continue }
                for (name, value) in forbidden where value == .bool(false) { excluded.insert(name) }
            }
        }
        return excluded
    }
}
