import DevFlowDiagnostics
import DevFlowGraph
import DevFlowSyntax

extension PipelineDecoder {
    static let stepKeys = [
        "name", "run", "agent", "needs", "if", "env", "with", "shell", "working_directory", "matrix", "retry",
        "timeout",
        "circuit_breaker", "continue_on_error", "inputs", "outputs", "paths", "deployment",
    ]

    mutating func decodeSteps(_ node: YAMLNode, key: Located<String>) -> [StepDecl] {
        guard let entries = reader.openMapping(node, what: "'steps'") else { return [] }
        if entries.isEmpty && node.pairs?.isEmpty ?? true {
            reader.report(
                MissingKeyRule.descriptor, "'steps' is empty; a pipeline needs at least one step", at: key.span)
        }
        var steps: [StepDecl] = []
        steps.reserveCapacity(entries.count)
        for (id, value) in entries {
            reader.checkID(id, kind: "step")
            if let step = decodeStep(id: id, node: value) { steps.append(step) }
        }
        return steps
    }

    mutating func decodeStep(id: Located<String>, node: YAMLNode) -> StepDecl? {
        let what = "step '\(id.value)'"
        guard let entries = reader.mapping(node, what: what, known: Self.stepKeys) else { return nil }
        let step = StepDecl(id: id, span: node.usageSpan)
        let stepID = id.value
        var keySpans = StepKeySpans()
        for (key, value) in entries {
            keySpans.record(key)
            switch key.value {
            case "name": step.name = reader.template(value, what: "'name'", site: .stepText(step: stepID), key: "name")
            case "run":
                step.run = reader.template(value, what: "'run'", site: .run(step: stepID), key: "run")
                step.runNode = value
            case "agent": step.agent = reader.string(value, what: "'agent'")
            case "needs":
                step.needs = reader.stringList(value, what: "'needs'")
            case "if": decodeCondition(value, into: step)
            case "env":
                step.env = decodeEnv(value, what: "the env of \(what)", site: .stepEnv(step: stepID))
                step.envNode = value
            case "with":
                if value.pairs == nil && value.scalar?.isNull != true {
                    reader.wrongType(value, expected: "a mapping", what: "'with'")
                }
                step.with = value
                collectWithSites(value, site: .stepWith(step: stepID))
            case "shell":
                step.shell = reader.template(value, what: "'shell'", site: .stepText(step: stepID), key: "shell")
            case "working_directory":
                step.workingDirectory = reader.template(
                    value, what: "'working_directory'", site: .stepText(step: stepID), key: "working_directory")
            case "matrix": step.matrix = decodeMatrix(value, step: stepID)
            case "retry": step.retry = decodeRetryReference(value)
            case "timeout": step.timeout = reader.duration(value, what: "'timeout'")
            case "circuit_breaker": step.circuitBreaker = reader.string(value, what: "'circuit_breaker'")
            case "continue_on_error": step.continueOnError = reader.bool(value, what: "'continue_on_error'") ?? false
            case "inputs":
                step.inputs = reader.stringList(value, what: "'inputs'")
                reader.checkGlobs(step.inputs, what: "'inputs'")
            case "outputs":
                let outputs = reader.stringList(value, what: "'outputs'")
                for output in outputs { reader.checkID(output, kind: "output") }
                step.outputs = outputs
            case "paths":
                step.paths = reader.stringList(value, what: "'paths'")
                reader.checkGlobs(step.paths, what: "'paths'")
            default: step.deployment = reader.string(value, what: "'deployment'")
            }
        }
        if let run = keySpans.run, let agent = keySpans.agent {
            reader.report(
                ConflictingKeysRule.descriptor,
                "\(what) has both 'run' and 'agent'; a step is either a hook step or an agent step", at: agent,
                labels: [DiagnosticLabel("'run' given here", at: run)])
        } else if keySpans.run == nil && keySpans.agent == nil {
            reader.report(
                ConflictingKeysRule.descriptor,
                "\(what) has neither 'run' nor 'agent'; give a shell script or an agent", at: id.span)
        }
        if keySpans.run != nil, let with = keySpans.with {
            reader.report(
                ConflictingKeysRule.descriptor,
                "'with' only applies to agent steps; pass values to a hook step through 'env'", at: with)
        }
        if keySpans.agent != nil, let shell = keySpans.shell {
            reader.report(ConflictingKeysRule.descriptor, "'shell' only applies to hook steps ('run')", at: shell)
        }
        return step
    }

    mutating func decodeCondition(_ node: YAMLNode, into step: StepDecl) {
        guard let scalar = node.scalar, !(scalar.isNull && scalar.style == .plain) else {
            reader.wrongType(node, expected: "an expression", what: "'if'")
            return
        }
        step.conditionNode = node
        step.condition = Located(scalar.value, at: node.usageSpan)
        reader.sites.append(ExpressionSite(kind: .condition(step: step.id.value), node: node, key: "if"))
    }

    mutating func decodeMatrix(_ node: YAMLNode, step: String) -> MatrixDecl? {
        guard let entries = reader.openMapping(node, what: "'matrix'") else { return nil }
        var matrix = MatrixDecl(span: node.usageSpan)
        for (key, value) in entries {
            switch key.value {
            case "include", "exclude":
                guard let items = value.items else {
                    reader.wrongType(value, expected: "a list of mappings", what: "'matrix.\(key.value)'")
                    continue
                }
                var combos: [[(key: Located<String>, value: Located<String>)]] = []
                for item in items {
                    guard let fields = reader.openMapping(item, what: "an entry of 'matrix.\(key.value)'") else {
                        continue
                    }
                    var combo: [(key: Located<String>, value: Located<String>)] = []
                    for (name, fieldValue) in fields {
                        guard let text = matrixValue(fieldValue, what: "matrix value '\(name.value)'") else { continue }
                        combo.append((name, text))
                    }
                    if combo.isEmpty {
                        reader.report(
                            InvalidMatrixRule.descriptor, "an empty entry in 'matrix.\(key.value)' has no effect",
                            at: item.usageSpan)
                    }
                    combos.append(combo)
                }
                if key.value == "include" { matrix.include = combos } else { matrix.exclude = combos }
            default:
                reader.checkID(key, kind: "matrix dimension")
                guard let items = value.items else {
                    reader.wrongType(value, expected: "a list of values", what: "matrix dimension '\(key.value)'")
                    continue
                }
                if items.isEmpty {
                    reader.report(
                        InvalidMatrixRule.descriptor,
                        "matrix dimension '\(key.value)' has no values, so the step would have no legs",
                        at: value.usageSpan)
                }
                var values: [Located<String>] = []
                for item in items {
                    guard let text = matrixValue(item, what: "a value of matrix dimension '\(key.value)'") else {
                        continue
                    }
                    if let earlier = values.first(where: { $0.value == text.value }) {
                        reader.report(
                            InvalidMatrixRule.descriptor, "matrix dimension '\(key.value)' lists '\(text.value)' twice",
                            at: text.span,
                            labels: [DiagnosticLabel("first listed here", at: earlier.span)])
                        continue
                    }
                    values.append(text)
                }
                matrix.dimensions.append(MatrixDecl.Dimension(name: key, values: values))
            }
        }
        return matrix
    }

    mutating func matrixValue(_ node: YAMLNode, what: String) -> Located<String>? {
        guard let scalar = node.scalar, !(scalar.isNull && scalar.style == .plain) else {
            reader.wrongType(node, expected: "a scalar", what: what)
            return nil
        }
        if Template.mayContainExpression(scalar.value) {
            reader.report(
                InvalidMatrixRule.descriptor,
                "\(what) holds an expression; matrix values are expanded at compile time and must be literal",
                at: node.usageSpan)
            return nil
        }
        return Located(scalar.value, at: node.usageSpan)
    }
}

/// Where the keys that exclude each other are written in one step.
struct StepKeySpans {
    var run: SourceSpan?
    var agent: SourceSpan?
    var with: SourceSpan?
    var shell: SourceSpan?

    mutating func record(_ key: Located<String>) {
        switch key.value {
        case "run": run = key.span
        case "agent": agent = key.span
        case "with": with = key.span
        case "shell": shell = key.span
        default: break
        }
    }
}
