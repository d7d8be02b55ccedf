import DevFlowDiagnostics
import DevFlowGraph
import DevFlowSyntax

/// Decodes the positioned YAML tree into a `PipelineDecl` by the DSL's schema, reporting every problem.
struct PipelineDecoder {
    static let topLevelKeys = [
        "version", "name", "on", "runs_on", "env", "secrets", "defaults", "policies", "agents", "concurrency",
        "steps",
    ]
    static let builtInAgents = [
        "security-guardian", "style-enforcer", "doc-updater", "test-generator", "performance-optimizer", "llm",
    ]
    static let hookNames = [
        "pre-commit", "pre-push", "commit-msg", "prepare-commit-msg", "post-commit", "post-merge", "post-checkout",
        "pre-rebase",
    ]
    static let triggerNames = ["push", "pull_request", "schedule", "hook", "manual"]

    var reader: NodeReader

    init(file: String) { reader = NodeReader(file: file) }

    /// Decodes `root`; `documentSpan` is used for problems about the file as a whole.
    mutating func decode(_ root: YAMLNode?, documentSpan: SourceSpan) -> PipelineDecl {
        var pipeline = PipelineDecl(span: documentSpan)
        guard let root else {
            reader.report(
                MissingKeyRule.descriptor, "the file is empty; a pipeline needs 'version', 'name', 'on' and 'steps'",
                at: documentSpan)
            return pipeline
        }
        guard let entries = reader.mapping(root, what: "the pipeline", known: Self.topLevelKeys) else {
            return pipeline
        }
        reader.require(
            ["version", "name", "on", "steps"], in: entries,
            owner: SourceSpan(file: documentSpan.file, start: root.span.start, end: root.span.start),
            what: "the pipeline")
        for (key, value) in entries {
            switch key.value {
            case "version":
                if let version = reader.int(value, what: "'version'") {
                    pipeline.version = version
                    if version.value != 1 {
                        reader.report(
                            UnsupportedVersionRule.descriptor,
                            "unsupported DSL version '\(version.value)'; this compiler reads version 1",
                            at: version.span)
                    }
                }
            case "name": pipeline.name = reader.string(value, what: "'name'")
            case "on":
                pipeline.triggersKeySpan = key.span
                pipeline.triggers = decodeTriggers(value)
            case "env": pipeline.env = decodeEnv(value, what: "'env'", site: .pipelineEnv)
            case "secrets":
                pipeline.secrets = reader.stringList(value, what: "'secrets'", allowScalar: false)
                for secret in pipeline.secrets { checkName(secret, pattern: .secret) }
            case "defaults": pipeline.defaults = decodeDefaults(value)
            case "policies": decodePolicies(value, into: &pipeline)
            case "agents": pipeline.agents = decodeAgents(value)
            case "concurrency": pipeline.concurrency = decodeConcurrency(value)
            case "runs_on": pipeline.runsOn = decodeRunsOn(value)
            case "steps": pipeline.steps = decodeSteps(value, key: key)
            default: break
            }
        }
        pipeline.expressionSites = reader.sites
        return pipeline
    }

    enum NamePattern { case secret, env }

    mutating func checkName(_ name: Located<String>, pattern: NamePattern) {
        let bytes = Array(name.value.utf8)
        let valid: Bool
        switch pattern {
        case .secret:
            valid =
                !bytes.isEmpty && !(bytes[0] >= 0x30 && bytes[0] <= 0x39)
                && bytes.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
            if !valid {
                reader.report(
                    InvalidIDRule.descriptor,
                    "secret name '\(NodeReader.shorten(name.value))' must be upper case letters, digits and '_', not starting with a digit",
                    at: name.span)
            }
        case .env:
            valid =
                !bytes.isEmpty && !(bytes[0] >= 0x30 && bytes[0] <= 0x39)
                && bytes.allSatisfy {
                    ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F
                }
            if !valid {
                reader.report(
                    InvalidIDRule.descriptor,
                    "environment variable name '\(NodeReader.shorten(name.value))' must be letters, digits and '_', not starting with a digit",
                    at: name.span)
            }
        }
    }

    mutating func decodeEnv(_ node: YAMLNode, what: String, site: SiteKind) -> [EnvEntry] {
        guard let entries = reader.openMapping(node, what: what) else { return [] }
        var result: [EnvEntry] = []
        for (key, value) in entries {
            checkName(key, pattern: .env)
            if value.pairs != nil || value.items != nil {
                reader.wrongType(value, expected: "a string", what: "environment variable '\(key.value)'")
                continue
            }
            let text =
                value.scalar?.isNull == true && value.scalar?.style == .plain
                ? Located("", at: value.usageSpan)
                : reader.template(
                    value, what: "environment variable '\(key.value)'", site: site, key: "env.\(key.value)")
            if let text { result.append(EnvEntry(name: key, value: text)) }
        }
        return result
    }

    mutating func decodeTriggers(_ node: YAMLNode) -> TriggersDecl? {
        var triggers = TriggersDecl(span: node.usageSpan)
        var names: [Located<String>] = []
        if let scalar = node.scalar, !scalar.isNull {
            names = [Located(scalar.value, at: node.usageSpan)]
        } else if node.items != nil {
            names = reader.stringList(node, what: "'on'")
        } else if let entries = reader.mapping(node, what: "'on'", known: Self.triggerNames) {
            if entries.isEmpty {
                reader.report(
                    MissingKeyRule.descriptor,
                    "'on' names no trigger; expected at least one of \(Suggestions.list(Self.triggerNames))",
                    at: node.usageSpan)
            }
            for (key, value) in entries {
                switch key.value {
                case "push": triggers.push = decodePush(value)
                case "pull_request": triggers.pullRequest = decodePullRequest(value)
                case "schedule": triggers.schedule = decodeSchedule(value)
                case "hook":
                    triggers.hooks = reader.stringList(value, what: "'on.hook'")
                    if triggers.hooks.isEmpty {
                        reader.wrongType(value, expected: "a non-empty list of git hook names", what: "'on.hook'")
                    }
                    for hook in triggers.hooks {
                        _ = reader.checkValue(hook, accepted: Self.hookNames, what: "git hook")
                    }
                case "manual": triggers.manual = decodeManual(value)
                default: break
                }
            }
            return triggers
        } else {
            return nil
        }
        for name in names where reader.checkValue(name, accepted: Self.triggerNames, what: "trigger") {
            switch name.value {
            case "push": triggers.push = PushDecl()
            case "pull_request": triggers.pullRequest = PullRequestDecl()
            case "manual": triggers.manual = []
            default:
                reader.report(
                    MissingKeyRule.descriptor,
                    "trigger '\(name.value)' needs settings; write it as a mapping key: 'on: {\(name.value): …}'",
                    at: name.span)
            }
        }
        return triggers
    }

    mutating func decodePush(_ node: YAMLNode) -> PushDecl {
        var push = PushDecl()
        guard
            let entries = reader.mapping(
                node, what: "'on.push'", known: ["branches", "branches_ignore", "tags", "paths"])
        else { return push }
        for (key, value) in entries {
            let list = reader.stringList(value, what: "'on.push.\(key.value)'")
            reader.checkGlobs(list, what: "'on.push.\(key.value)'")
            switch key.value {
            case "branches": push.branches = list
            case "branches_ignore": push.branchesIgnore = list
            case "tags": push.tags = list
            default: push.paths = list
            }
        }
        return push
    }

    mutating func decodePullRequest(_ node: YAMLNode) -> PullRequestDecl {
        var pullRequest = PullRequestDecl()
        guard let entries = reader.mapping(node, what: "'on.pull_request'", known: ["branches", "paths", "types"])
        else { return pullRequest }
        for (key, value) in entries {
            let list = reader.stringList(value, what: "'on.pull_request.\(key.value)'")
            switch key.value {
            case "branches":
                reader.checkGlobs(list, what: "'on.pull_request.branches'")
                pullRequest.branches = list
            case "paths":
                reader.checkGlobs(list, what: "'on.pull_request.paths'")
                pullRequest.paths = list
            default:
                for type in list {
                    _ = reader.checkValue(
                        type, accepted: ["opened", "synchronize", "reopened", "closed", "ready_for_review"],
                        what: "pull-request type")
                }
                pullRequest.types = list
            }
        }
        return pullRequest
    }

    mutating func decodeSchedule(_ node: YAMLNode) -> [Located<String>] {
        guard let items = node.items, !items.isEmpty else {
            reader.wrongType(node, expected: "a non-empty list of {cron: …} entries", what: "'on.schedule'")
            return []
        }
        var crons: [Located<String>] = []
        for item in items {
            guard let entries = reader.mapping(item, what: "a schedule entry", known: ["cron"]) else { continue }
            reader.require(["cron"], in: entries, owner: item.usageSpan, what: "a schedule entry")
            guard let node = entries.first?.value, let cron = reader.string(node, what: "'cron'") else { continue }
            if let problem = CronExpression.validate(cron.value) {
                var span = cron.span
                if cron.span.start.line == cron.span.end.line, node.scalar?.style != .literal,
                    node.scalar?.style != .folded
                {
                    let quote = node.scalar?.style == .plain ? 0 : 1
                    let start = cron.span.start.offset + quote + problem.range.lowerBound
                    let end = cron.span.start.offset + quote + problem.range.upperBound
                    span = SourceSpan(
                        file: span.file,
                        start: SourcePosition(
                            line: span.start.line, column: span.start.column + quote + problem.range.lowerBound,
                            offset: start),
                        end: SourcePosition(
                            line: span.start.line, column: span.start.column + quote + problem.range.upperBound,
                            offset: end))
                }
                reader.report(
                    InvalidCronRule.descriptor, "invalid cron '\(cron.value)': \(problem.message)", at: span,
                    notes: ["fields: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12) day-of-week (0-7)"])
            }
            crons.append(cron)
        }
        return crons
    }

    mutating func decodeManual(_ node: YAMLNode) -> [ManualInputDecl] {
        guard let entries = reader.mapping(node, what: "'on.manual'", known: ["inputs"]) else { return [] }
        guard let inputsNode = entries.first?.value,
            let inputs = reader.openMapping(inputsNode, what: "'on.manual.inputs'")
        else { return [] }
        var result: [ManualInputDecl] = []
        for (id, value) in inputs {
            reader.checkID(id, kind: "input")
            var input = ManualInputDecl(id: id)
            guard
                let fields = reader.mapping(
                    value, what: "input '\(id.value)'",
                    known: ["type", "description", "required", "default", "options"])
            else { continue }
            reader.require(["type"], in: fields, owner: id.span, what: "input '\(id.value)'")
            for (key, field) in fields {
                switch key.value {
                case "type":
                    input.type = reader.string(field, what: "'type'")
                    if let type = input.type,
                        !reader.checkValue(
                            type, accepted: ["string", "boolean", "number", "choice"], what: "input type")
                    {
                        input.type = nil
                    }
                case "description": input.description = reader.string(field, what: "'description'")?.value
                case "required": input.required = reader.bool(field, what: "'required'") ?? false
                case "options": input.options = reader.stringList(field, what: "'options'", allowScalar: false)
                default:
                    input.defaultValue = Located(field.scalar?.value ?? "", at: field.usageSpan)
                    if field.scalar == nil { reader.wrongType(field, expected: "a scalar", what: "'default'") }
                }
            }
            checkManualInput(input, fields: fields)
            result.append(input)
        }
        return result
    }

    mutating func checkManualInput(_ input: ManualInputDecl, fields: [(key: Located<String>, value: YAMLNode)]) {
        guard let type = input.type?.value else { return }
        if type == "choice" && input.options.isEmpty {
            reader.report(
                MissingKeyRule.descriptor, "choice input '\(input.id.value)' is missing required key 'options'",
                at: input.id.span)
        }
        if type != "choice", let options = fields.first(where: { $0.key.value == "options" }) {
            reader.report(
                ConflictingKeysRule.descriptor, "'options' only applies to inputs of type 'choice', not '\(type)'",
                at: options.key.span)
        }
        guard let defaultNode = fields.first(where: { $0.key.value == "default" })?.value,
            let value = input.defaultValue
        else { return }
        switch type {
        case "boolean": _ = reader.bool(defaultNode, what: "the default of boolean input '\(input.id.value)'")
        case "number": _ = reader.number(defaultNode, what: "the default of number input '\(input.id.value)'")
        case "choice":
            _ = reader.checkValue(
                value, accepted: input.options.map(\.value), what: "default of choice input '\(input.id.value)':")
        default: break
        }
    }

    mutating func decodeDefaults(_ node: YAMLNode) -> DefaultsDecl {
        var defaults = DefaultsDecl()
        guard
            let entries = reader.mapping(
                node, what: "'defaults'", known: ["timeout", "retry", "shell", "working_directory"])
        else { return defaults }
        for (key, value) in entries {
            switch key.value {
            case "timeout": defaults.timeout = reader.duration(value, what: "'defaults.timeout'")
            case "retry": defaults.retry = decodeRetryReference(value)
            case "shell": defaults.shell = reader.string(value, what: "'defaults.shell'")
            default: defaults.workingDirectory = reader.string(value, what: "'defaults.working_directory'")
            }
        }
        return defaults
    }

    mutating func decodeConcurrency(_ node: YAMLNode) -> ConcurrencyDecl? {
        guard let entries = reader.mapping(node, what: "'concurrency'", known: ["group", "cancel_in_progress"]) else {
            return nil
        }
        reader.require(["group"], in: entries, owner: node.usageSpan, what: "'concurrency'")
        var concurrency = ConcurrencyDecl()
        for (key, value) in entries {
            if key.value == "group" {
                concurrency.group = reader.template(
                    value, what: "'concurrency.group'", site: .concurrency, key: "concurrency.group")
            } else {
                concurrency.cancelInProgress = reader.bool(value, what: "'concurrency.cancel_in_progress'") ?? false
            }
        }
        return concurrency
    }

    /// `runs_on:` a label or a list of labels.
    mutating func decodeRunsOn(_ node: YAMLNode) -> [Located<String>] {
        reader.workerLabels(node, what: "'runs_on'")
    }
}
