import DevFlowCompiler
import DevFlowGraph
import Foundation

/// `textDocument/completion`: keys from the grammar, names the pipeline declares, contexts and properties in
/// `${{ }}`, and matrix values.
struct Completion {
    /// LSP's `CompletionItemKind` values used here.
    enum ItemKind: Int {
        case function = 3, field = 5, variable = 6, `class` = 7, module = 9, property = 10, value = 12
        case reference = 18, enumMember = 20, constant = 21
    }

    /// One offer.
    struct Item: Equatable {
        var label: String
        var kind: ItemKind
        var detail: String?
        var documentation: String?
        var insertText: String?
    }

    let context: CursorContext
    let facts: PipelineFacts

    /// The step the position is in, if any.
    var currentStep: String? { context.path.first == "steps" && context.path.count > 1 ? context.path[1] : nil }

    /// What to offer, best first.
    func items() -> [Item] {
        let offers: [Item]
        switch context.kind {
        case .text: return []
        case .expression(let text): offers = expressionItems(text)
        case .key(let siblings): offers = keyItems(excluding: siblings)
        case .value(let listed): offers = valueItems(path: context.path, excluding: listed)
        case .listItem: offers = valueItems(path: context.path, excluding: [])
        }
        let word =
            context.kind.isExpression
            ? String(context.word.split(separator: ".", omittingEmptySubsequences: false).last ?? "") : context.word
        return offers.filter { word.isEmpty || $0.label.hasPrefix(word) || $0.label.contains(word) }
    }

    func keyItems(excluding siblings: [String]) -> [Item] {
        guard let node = GrammarSchema.shared.node(at: context.path) else { return [] }
        let excluded = GrammarSchema.shared.excludedKeys(at: context.path, given: siblings)
        return node.properties.filter { !siblings.contains($0.name) && !excluded.contains($0.name) }.map { property in
            Item(
                label: property.name, kind: .property, detail: nil, documentation: property.description,
                insertText: "\(property.name): ")
        }
    }

    func valueItems(path: [String], excluding listed: [String]) -> [Item] {
        let key = path.last == "[]" ? path.dropLast().last : path.last
        let inStep = path.first == "steps" && path.count >= 3
        var items: [Item] = []
        switch key {
        case "needs" where inStep:
            items = facts.steps.filter { $0.id.value != currentStep }.map {
                Item(label: $0.id.value, kind: .reference, detail: stepDetail($0), documentation: nil)
            }
        case "agent" where inStep:
            items =
                facts.agents.map { Item(label: $0.id.value, kind: .class, detail: agentDetail($0), documentation: nil) }
                + LanguageVocabulary.builtInAgents.map {
                    Item(label: $0, kind: .class, detail: "built-in agent", documentation: nil)
                }
        case "retry" where inStep || path == ["defaults", "retry"]:
            items =
                facts.retryPolicies.map { Item(label: $0.value, kind: .constant, detail: "retry policy") }
                + LanguageVocabulary.builtInRetryPolicies.map {
                    Item(label: $0, kind: .constant, detail: "built-in retry policy: one attempt")
                }
        case "circuit_breaker" where inStep || path.first == "agents":
            items = facts.breakers.map { Item(label: $0.value, kind: .constant, detail: "circuit breaker") }
        default:
            if let values = matrixValues(path: path) {
                items = values.map { Item(label: $0, kind: .value, detail: "matrix value") }
            } else if let node = GrammarSchema.shared.node(at: path.last == "[]" ? path : path) {
                items = node.enumValues.map { Item(label: $0, kind: .enumMember, detail: nil, documentation: nil) }
                if node.acceptsBoolean {
                    items += ["true", "false"].map { Item(label: $0, kind: .value) }
                }
                if items.isEmpty, path.last != "[]", let itemNode = GrammarSchema.shared.node(at: path + ["[]"]) {
                    items = itemNode.enumValues.map { Item(label: $0, kind: .enumMember) }
                }
            }
        }
        return items.filter { !listed.contains($0.label) }
    }

    /// `steps.<id>.matrix.include[].<dimension>` (or `exclude`): the dimension's values.
    func matrixValues(path: [String]) -> [String]? {
        guard path.count >= 6, path[0] == "steps", path[2] == "matrix", ["include", "exclude"].contains(path[3]),
            path[4] == "[]", let step = facts.step(path[1])
        else { return nil }
        return step.matrix.first { $0.dimension == path[5] }?.values
    }

    func expressionItems(_ text: String) -> [Item] {
        let chain = context.word.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let base = Array(chain.dropLast())
        let inCondition = context.path.last == "if"
        switch base.count {
        case 0:
            let contexts = LanguageVocabulary.contexts.sorted().map {
                Item(label: $0, kind: .module, detail: "context")
            }
            let functions = LanguageVocabulary.functions.filter { inCondition || !$0.onlyInConditions }.map {
                function in
                Item(
                    label: function.name, kind: .function, detail: Self.signature(function),
                    insertText: "\(function.name)(")
            }
            return contexts + functions
        default: break
        }
        switch base[0] {
        case "steps":
            if base.count == 1 {
                let visible = currentStep.map { facts.ancestors(of: $0) } ?? facts.steps.map(\.id.value)
                return visible.compactMap { facts.step($0) }.map {
                    Item(label: $0.id.value, kind: .reference, detail: stepDetail($0))
                }
            }
            if base.count == 2 {
                return LanguageVocabulary.stepProperties.map { Item(label: $0, kind: .field) }
            }
            if base.count == 3, base[2] == "outputs", let step = facts.step(base[1]) {
                return step.outputs.map { Item(label: $0.value, kind: .field, detail: "output of '\(step.id.value)'") }
            }
            return []
        case "secrets" where base.count == 1:
            return facts.secrets.map { Item(label: $0, kind: .variable, detail: "declared secret") }
        case "inputs" where base.count == 1:
            return facts.inputs.map { Item(label: $0, kind: .variable, detail: "manual input") }
        case "env" where base.count == 1:
            let stepEnv = currentStep.flatMap { facts.step($0)?.env } ?? []
            var seen: Set<String> = []
            return (stepEnv + facts.env).filter { seen.insert($0).inserted }.map {
                Item(label: $0, kind: .variable, detail: "environment variable")
            }
        case "matrix" where base.count == 1:
            guard let step = currentStep.flatMap({ facts.step($0) }) else { return [] }
            return (step.matrix.map(\.dimension) + step.matrixExtraKeys).map {
                Item(label: $0, kind: .field, detail: "matrix dimension")
            }
        default:
            guard let properties = LanguageVocabulary.properties(of: base) else { return [] }
            return properties.map { Item(label: $0.name, kind: .field, detail: $0.isObject ? "object" : nil) }
        }
    }

    static func signature(_ function: (name: String, minimum: Int, maximum: Int?, onlyInConditions: Bool)) -> String {
        let arity =
            function.maximum == function.minimum
            ? "\(function.minimum)" : function.maximum.map { "\(function.minimum)–\($0)" } ?? "\(function.minimum)+"
        let arguments = arity == "1" ? "argument" : "arguments"
        return "function, \(arity) \(arguments)\(function.onlyInConditions ? ", only in 'if:'" : "")"
    }

    func stepDetail(_ step: PipelineFacts.Step) -> String {
        if let name = step.name { return "step: \(name)" }
        if let agent = step.agent { return "agent step: \(agent)" }
        return "step"
    }

    func agentDetail(_ agent: (id: PipelineFacts.Name, uses: String?, command: String?)) -> String {
        if let uses = agent.uses { return "agent: uses \(uses)" }
        if let command = agent.command { return "agent: command \(command)" }
        return "agent"
    }

    /// The LSP items, each replacing the word before the position.
    func json(document: TextDocument, line: Int, cursorOffset: Int, encoding: PositionEncoding) -> JSONValue {
        let replaceStart: Int
        if context.kind.isExpression {
            let chain = context.word
            let lastDot = chain.lastIndex(of: ".").map { chain.utf8.distance(from: chain.startIndex, to: $0) + 1 } ?? 0
            replaceStart = document.offset(line: line, column: context.wordStart + lastDot)
        } else {
            replaceStart = document.offset(line: line, column: context.wordStart)
        }
        let range = document.range(from: replaceStart, to: cursorOffset, encoding: encoding)
        let items = items().enumerated().map { index, item -> JSONValue in
            var members: [String: JSONValue] = [
                "label": .string(item.label), "kind": .int(item.kind.rawValue),
                "sortText": .string(String(format: "%04d", index)),
                "textEdit": .object(["range": range, "newText": .string(item.insertText ?? item.label)]),
            ]
            if let detail = item.detail { members["detail"] = .string(detail) }
            if let documentation = item.documentation {
                members["documentation"] = .object(["kind": .string("markdown"), "value": .string(documentation)])
            }
            return .object(members)
        }
        return .object(["isIncomplete": .bool(false), "items": .array(items)])
    }
}

extension CursorContext.Kind {
    var isExpression: Bool {
        if case .expression = self { return true }
        return false
    }
}
