import DevFlowDiagnostics
import DevFlowGraph

/// Infers types bottom-up and reports unknown names, unavailable contexts and misuse, per site.
struct ExpressionTyper {
    let context: CheckContext
    let cache: TypeCache
    let site: ExpressionSite
    let mapper: SiteSpanMapper
    /// The index of the site's step, if it belongs to one.
    let stepIndex: Int?
    let isCondition: Bool
    var base: Int? = nil
    var diagnostics: [Diagnostic] = []

    init(context: CheckContext, cache: TypeCache, site: ExpressionSite, mapper: SiteSpanMapper) {
        self.context = context
        self.cache = cache
        self.site = site
        self.mapper = mapper
        stepIndex = site.kind.step.flatMap { context.stepIndex[$0] }
        if case .condition = site.kind { isCondition = true } else { isCondition = false }
    }

    private var stepMatrix: MatrixDecl? { stepIndex.flatMap { context.pipeline.steps[$0].matrix } }

    mutating func check(_ parsed: ParsedExpression) {
        base = parsed.base
        _ = type(of: parsed.expression)
    }

    private func span(_ range: Range<Int>) -> SourceSpan { mapper.span(base: base, range: range) }

    private mutating func report(
        _ rule: RuleDescriptor, _ message: String, _ range: Range<Int>, labels: [DiagnosticLabel] = [],
        notes: [String] = [], fixIts: [FixIt] = []
    ) {
        diagnostics.append(rule.diagnostic(message, at: span(range), labels: labels, notes: notes, fixIts: fixIts))
    }

    private var siteName: String {
        switch site.kind {
        case .pipelineEnv: "the pipeline's env"
        case .concurrency: "'concurrency.group'"
        case .agentWith(let agent): "the 'with' of agent '\(agent)'"
        case .condition: "'if'"
        case .run: "'run'"
        case .stepEnv: "a step's env"
        case .stepWith: "a step's 'with'"
        case .stepText: "'\(site.key)'"
        }
    }

    /// Why `root` is unavailable here, or nil if it is available.
    private func unavailability(_ root: String) -> String? {
        let inStep = site.kind.step != nil
        switch root {
        case "secrets":
            if isCondition { return "conditions cannot depend on secret values" }
            if case .concurrency = site.kind { return "a concurrency group is visible to everyone" }
            return nil
        case "steps": return inStep ? nil : "only steps can read other steps"
        case "matrix":
            if !inStep { return "only matrix steps have a matrix" }
            return stepMatrix == nil ? "step '\(site.kind.step!)' has no 'matrix'" : nil
        case "env":
            if case .pipelineEnv = site.kind { return "the pipeline's env cannot refer to itself" }
            return nil
        default: return nil
        }
    }

    private func rootType(_ root: String) -> ExpressionType {
        let key = root == "matrix" ? "matrix:\(site.kind.step ?? "")" : root
        if let cached = cache.roots[key] { return cached }
        let type = computeRootType(root)
        cache.roots[key] = type
        return type
    }

    private func computeRootType(_ root: String) -> ExpressionType {
        switch root {
        case "git": return ContextSchema.git
        case "event": return ContextSchema.event
        case "run": return ContextSchema.run
        case "env": return ContextSchema.env
        case "secrets":
            var properties: [String: ExpressionType] = [:]
            for secret in context.pipeline.secrets { properties[secret.value] = .string }
            return .object(ObjectType(properties: properties, kind: .secrets))
        case "inputs":
            var properties: [String: ExpressionType] = [:]
            for input in context.pipeline.triggers?.manual ?? [] {
                switch input.type?.value {
                case "boolean": properties[input.id.value] = .bool
                case "number": properties[input.id.value] = .number
                case nil: properties[input.id.value] = .any
                default: properties[input.id.value] = .string
                }
            }
            return .object(ObjectType(properties: properties, kind: .inputs))
        case "matrix":
            var properties: [String: ExpressionType] = [:]
            if let matrix = stepMatrix {
                for dimension in matrix.dimensions { properties[dimension.name.value] = .string }
                for entry in matrix.include { for (key, _) in entry { properties[key.value] = .string } }
            }
            return .object(ObjectType(properties: properties, kind: .matrix(step: site.kind.step ?? "")))
        case "steps":
            return .object(ObjectType(properties: [:], kind: .steps))
        default: return .any
        }
    }

    private func stepType(_ id: String) -> ExpressionType {
        if let cached = cache.steps[id] { return cached }
        let outputs: ExpressionType
        if let index = context.stepIndex[id], let declared = context.pipeline.steps[index].outputs {
            var properties: [String: ExpressionType] = [:]
            for output in declared { properties[output.value] = .string }
            outputs = .object(ObjectType(properties: properties, kind: .outputs(step: id)))
        } else {
            outputs = .object(ObjectType(properties: [:], kind: .open))
        }
        let type = ContextSchema.closed("steps.\(id)", ["outputs": outputs, "outcome": .string, "conclusion": .string])
        cache.steps[id] = type
        return type
    }

    mutating func type(of expression: Expression) -> ExpressionType {
        switch expression.kind {
        case .literal(let value):
            switch value {
            case .null: return .null
            case .bool: return .bool
            case .number: return .number
            case .string: return .string
            default: return .any
            }
        case .context(let name):
            guard ContextSchema.rootNames.contains(name) else {
                let candidates = Suggestions.closest(
                    to: name, among: ContextSchema.rootNames + Array(FunctionSignature.all.keys))
                var notes = ["contexts are \(Suggestions.list(ContextSchema.rootNames))"]
                if ["github", "needs", "vars", "job", "runner", "strategy"].contains(name) {
                    notes.insert("'\(name)' is a GitHub Actions context; DevFlow uses git, event, steps and run", at: 0)
                }
                report(
                    UnknownPropertyRule.descriptor, "unknown context '\(name)'\(Suggestions.didYouMean(candidates))",
                    expression.range, notes: notes)
                return .any
            }
            if let reason = unavailability(name) {
                report(
                    ContextUnavailableRule.descriptor, "'\(name)' is not available in \(siteName); \(reason)",
                    expression.range)
                return .any
            }
            return rootType(name)
        case .property(let baseExpression, let name, let nameRange):
            let baseType = type(of: baseExpression)
            return member(of: baseType, name: name, nameRange: nameRange, baseExpression: baseExpression)
        case .index(let baseExpression, let index):
            let baseType = type(of: baseExpression)
            let indexType = type(of: index)
            if case .literal(.string(let name)) = index.kind, case .object = baseType {
                return member(of: baseType, name: name, nameRange: index.range, baseExpression: baseExpression)
            }
            switch baseType {
            case .array(let element):
                if indexType != .number && indexType != .any {
                    report(
                        ExpressionTypeRule.descriptor, "an array index must be a number, found \(indexType.described)",
                        index.range)
                }
                return element
            case .object(let object): return object.kind == .open ? object.openType : .any
            case .any: return .any
            default:
                report(ExpressionTypeRule.descriptor, "\(baseType.described) cannot be indexed", expression.range)
                return .any
            }
        case .call(let name, let nameRange, let arguments):
            return call(name, nameRange: nameRange, arguments: arguments, range: expression.range)
        case .not(let operand):
            _ = type(of: operand)
            return .bool
        case .negate(let operand):
            let operandType = type(of: operand)
            if [.bool, .null, .string].contains(operandType)
                || { if case .object = operandType { true } else { false } }()
            {
                report(
                    ExpressionTypeRule.descriptor, "'-' needs a number, found \(operandType.described)", operand.range)
            }
            return .number
        case .binary(let op, let lhs, let rhs):
            let left = type(of: lhs)
            let right = type(of: rhs)
            switch op {
            case .and, .or: return left == right ? left : .any
            case .less, .lessOrEqual, .greater, .greaterOrEqual:
                let bad = [left, right].first { sideType in
                    switch sideType {
                    case .object, .array, .null, .bool: true
                    default: false
                    }
                }
                if let bad {
                    report(
                        ExpressionTypeRule.descriptor,
                        "'\(op.rawValue)' compares numbers or strings, found \(bad.described)", expression.range)
                }
                return .bool
            default:
                let isObject = { (type: ExpressionType) -> Bool in if case .object = type { true } else { false } }
                if isObject(left) != isObject(right) {
                    report(
                        ExpressionTypeRule.descriptor,
                        "'\(op.rawValue)' compares an object with a scalar, which is never equal; did you mean one of its properties?",
                        expression.range)
                }
                return .bool
            }
        }
    }

    private mutating func member(
        of baseType: ExpressionType, name: String, nameRange: Range<Int>, baseExpression: Expression
    ) -> ExpressionType {
        switch baseType {
        case .any: return .any
        case .object(let object):
            if object.kind == .steps { return stepMember(name, nameRange: nameRange) }
            if let found = object.properties[name] { return found }
            return missing(object, name: name, nameRange: nameRange, baseExpression: baseExpression)
        case .array: return .any
        default:
            let path = baseExpression.propertyPath?.joined(separator: ".") ?? "this value"
            report(
                ExpressionTypeRule.descriptor, "'\(path)' is \(baseType.described) and has no property '\(name)'",
                nameRange)
            return .any
        }
    }

    private mutating func stepMember(_ id: String, nameRange: Range<Int>) -> ExpressionType {
        guard let current = site.kind.step else { return .any }
        guard let targetIndex = context.stepIndex[id] else {
            let candidates = Suggestions.closest(
                to: id, among: context.pipeline.steps.map(\.id.value).filter { context.isAncestor($0, of: current) })
            report(
                UnknownPropertyRule.descriptor, "unknown step '\(id)' in 'steps'\(Suggestions.didYouMean(candidates))",
                nameRange)
            return .any
        }
        if id == current {
            report(
                NonAncestorOutputRule.descriptor,
                "step '\(id)' reads its own outputs, which do not exist until it finishes", nameRange)
            return .any
        }
        guard context.isAncestor(id, of: current) else {
            var fixIts: [FixIt] = []
            if let index = stepIndex, let lastNeed = context.pipeline.steps[index].needs.last {
                let text = context.source.text(of: lastNeed.span)
                if !text.contains("\n") {
                    fixIts.append(
                        FixIt(
                            "add '\(id)' to the needs of '\(current)'",
                            edits: [
                                TextEdit(
                                    span: SourceSpan(
                                        file: lastNeed.span.file, start: lastNeed.span.end, end: lastNeed.span.end),
                                    replacement: ", \(id)")
                            ], safe: false))
                }
            }
            report(
                NonAncestorOutputRule.descriptor,
                "step '\(current)' reads step '\(id)', which is not among its needs, so it may not have run yet",
                nameRange,
                labels: [DiagnosticLabel("'\(id)' defined here", at: context.pipeline.steps[targetIndex].id.span)],
                notes: fixIts.isEmpty ? ["add '\(id)' to the needs of '\(current)'"] : [], fixIts: fixIts)
            return stepType(id)
        }
        return stepType(id)
    }

    private mutating func missing(_ object: ObjectType, name: String, nameRange: Range<Int>, baseExpression: Expression)
        -> ExpressionType
    {
        let known = object.properties.keys.sorted()
        let candidates = Suggestions.closest(to: name, among: known)
        let suggestion = Suggestions.didYouMean(candidates)
        let fixIts = Suggestions.fixIts(replacing: base == nil ? nil : span(nameRange), candidates: candidates)
        switch object.kind {
        case .open: return object.openType
        case .steps: return .any
        case .closed(let path):
            let tail = suggestion.isEmpty ? "; known properties: \(Suggestions.list(known))" : suggestion
            report(
                UnknownPropertyRule.descriptor, "unknown property '\(name)' of '\(path)'\(tail)", nameRange,
                fixIts: fixIts)
        case .outputs(let step):
            let declaration = context.step(step)?.outputs?.first?.span
            report(
                UndeclaredOutputRule.descriptor,
                "step '\(step)' does not declare output '\(name)'\(suggestion.isEmpty ? "; it declares \(Suggestions.list(known))" : suggestion)",
                nameRange,
                labels: declaration.map { [DiagnosticLabel("outputs declared here", at: $0)] } ?? [], fixIts: fixIts)
        case .secrets:
            let notes = ["declare it in the pipeline's 'secrets:' list so its value is masked in logs"]
            report(
                UndeclaredSecretRule.descriptor, "secret '\(name)' is not declared\(suggestion)", nameRange,
                notes: notes, fixIts: fixIts)
        case .matrix(let step):
            report(
                UnknownPropertyRule.descriptor,
                "step '\(step)' has no matrix dimension '\(name)'\(suggestion.isEmpty ? "; dimensions: \(Suggestions.list(known))" : suggestion)",
                nameRange, fixIts: fixIts)
        case .inputs:
            let tail =
                known.isEmpty
                ? "; the pipeline declares no manual inputs"
                : suggestion.isEmpty ? "; inputs: \(Suggestions.list(known))" : suggestion
            report(UnknownPropertyRule.descriptor, "unknown input '\(name)'\(tail)", nameRange, fixIts: fixIts)
        }
        return .any
    }

    private mutating func call(_ name: String, nameRange: Range<Int>, arguments: [Expression], range: Range<Int>)
        -> ExpressionType
    {
        let argumentTypes = arguments.map { type(of: $0) }
        guard let signature = FunctionSignature.all[name] else {
            let candidates = Suggestions.closest(to: name, among: FunctionSignature.all.keys)
            let fixIts = Suggestions.fixIts(replacing: base == nil ? nil : span(nameRange), candidates: candidates)
            let tail =
                candidates.isEmpty
                ? "; functions are \(Suggestions.list(FunctionSignature.all.keys.sorted()))"
                : Suggestions.didYouMean(candidates)
            report(UnknownFunctionRule.descriptor, "unknown function '\(name)'\(tail)", nameRange, fixIts: fixIts)
            return .any
        }
        if signature.statusFunction && !isCondition {
            report(
                ContextUnavailableRule.descriptor, "status function '\(name)()' is only available in 'if'", nameRange)
        }
        if arguments.count < signature.minimum || arguments.count > (signature.maximum ?? Int.max) {
            let expected =
                signature.maximum == signature.minimum
                ? "\(signature.minimum)"
                : signature.maximum == nil
                    ? "at least \(signature.minimum)" : "\(signature.minimum) or \(signature.maximum!)"
            let plural = (signature.maximum ?? signature.minimum) == 1 && signature.minimum == 1 ? "" : "s"
            report(
                ExpressionTypeRule.descriptor,
                "'\(name)' takes \(expected) argument\(plural), found \(arguments.count)", range)
            return signature.result
        }
        switch name {
        case "starts_with", "ends_with", "from_json", "hash_files":
            for (argument, argumentType) in zip(arguments, argumentTypes) {
                switch argumentType {
                case .object, .array:
                    report(
                        ExpressionTypeRule.descriptor,
                        "'\(name)' needs a string argument, found \(argumentType.described)", argument.range)
                default: break
                }
            }
        case "format":
            if case .literal(.string(let template)) = arguments[0].kind {
                let placeholders = Self.placeholderIndexes(template)
                if let highest = placeholders.max(), highest >= arguments.count - 1 {
                    report(
                        ExpressionTypeRule.descriptor,
                        "format string uses '{\(highest)}' but only \(arguments.count - 1) argument\(arguments.count == 2 ? " follows" : "s follow")",
                        arguments[0].range)
                }
            }
        default: break
        }
        return signature.result
    }

    static func placeholderIndexes(_ template: String) -> [Int] {
        var result: [Int] = []
        var digits = ""
        var open = false
        for character in template {
            if character == "{" { open = true; digits = ""; continue }
            if open, character.isNumber { digits.append(character); continue }
            if open, character == "}", let value = Int(digits) { result.append(value) }
            open = false
        }
        return result
    }
}

/// Context types built once per pipeline and shared by every site.
final class TypeCache {
    var roots: [String: ExpressionType] = [:]
    var steps: [String: ExpressionType] = [:]
}
