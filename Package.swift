// swift-tools-version: 6.1
import Foundation
import PackageDescription

let package = Package(
    name: "DevFlow",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "devflow", targets: ["devflow"]),
        .executable(name: "devflow-lint", targets: ["devflow-lint"]),
        .library(name: "DevFlowCompiler", targets: ["DevFlowCompiler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
    ],
    targets: [
        // libyaml (Debian libyaml-dev): full event stream with start and end marks.
        .systemLibrary(name: "CYAML", path: "Sources/CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // libgit2 (Debian libgit2-dev): repositories, revisions, trees and diffs without spawning git.
        .systemLibrary(name: "CGit2", path: "Sources/CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        // Non-variadic C wrappers for the libgit2 calls Swift cannot make (git_libgit2_opts).
        .target(name: "CGit2Shim", dependencies: ["CGit2"]),
        // Git facts for agents and `paths:` filters: HEAD, files at a revision, changed paths and diff hunks.
        .target(name: "DevFlowGit", dependencies: ["CGit2", "CGit2Shim"]),
        .testTarget(name: "DevFlowGitTests", dependencies: ["DevFlowGit", "DevFlowTestSupport"]),
        // Leaf: diagnostics as data, and their renderers.
        .target(name: "DevFlowDiagnostics"),
        // Leaf: the execution IR shared by lint, plan, run and serve.
        .target(name: "DevFlowGraph", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "DevFlowSyntax", dependencies: ["CYAML", "DevFlowDiagnostics"]),
        .target(name: "DevFlowCompiler", dependencies: ["DevFlowSyntax", "DevFlowGraph", "DevFlowDiagnostics"]),
        .target(
            name: "DevFlowLint",
            dependencies: ["DevFlowCompiler", "DevFlowGraph", "DevFlowSyntax", "DevFlowDiagnostics"]),
        // Runs, attempts, logs, outputs and breakers in SQLite (GRDB); the runner sees only the RunStore protocol.
        .target(name: "DevFlowStore", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "DevFlowStoreTests",
            dependencies: [
                "DevFlowStore", "DevFlowStorePostgres", "DevFlowStoreTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        // Which store the tests that touch one open: SQLite, or a new PostgreSQL database per store.
        .target(
            name: "DevFlowStoreTestSupport", dependencies: ["DevFlowStore", "DevFlowStorePostgres"],
            path: "Tests/DevFlowStoreTestSupport"),
        // The shared store for several servers and workers: the same protocols on PostgreSQL (postgres-nio), in its
        // own module so that the compiler, lint and a laptop's runner never build a PostgreSQL client.
        .target(
            name: "DevFlowStorePostgres",
            dependencies: [
                "DevFlowStore", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // DORA, insights and agent performance from DevFlow's own run records, shared by the CLI, the API and the
        // dashboard; the performance levels are data (dora-levels.json, embedded), not code.
        .target(
            name: "DevFlowAnalytics", dependencies: ["DevFlowStore", "DevFlowGraph"],
            resources: [.embedInCode("dora-levels.json")]),
        .testTarget(
            name: "DevFlowAnalyticsTests",
            dependencies: ["DevFlowAnalytics", "DevFlowStore", "DevFlowGraph", "DevFlowStoreTestSupport"]),
        // posix_spawn in its own session and process group, streamed lines, timeouts: no Foundation.Process.
        // vfork-style start of a step with only the system calls it needs (posix_spawn's child makes ~70 more).
        .target(name: "CDevFlowSpawn"),
        .target(name: "DevFlowProcess", dependencies: ["CDevFlowSpawn"]),
        .testTarget(name: "DevFlowProcessTests", dependencies: ["DevFlowProcess"]),
        // Built-in agents: real analyses of a workspace and its git changes, no network.
        .target(name: "DevFlowAgents", dependencies: ["DevFlowGit", "DevFlowGraph", "DevFlowProcess"]),
        .testTarget(name: "DevFlowAgentsTests", dependencies: ["DevFlowAgents", "DevFlowTestSupport"]),
        // The llm agent: an AsyncHTTPClient client of OpenAI-compatible chat completions (OpenAI, Ollama, vLLM,
        // llama.cpp), the only module that talks to the network; the compiler and lint never link it.
        .target(
            name: "DevFlowLLM",
            dependencies: [
                "DevFlowAgents", "DevFlowGit", "DevFlowGraph",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        // A scripted chat-completions server (SwiftNIO, 127.0.0.1, ephemeral port) for the llm agent's tests.
        .target(
            name: "ChatCompletionsTestServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/ChatCompletionsTestServer"),
        .testTarget(
            name: "DevFlowLLMTests",
            dependencies: ["DevFlowLLM", "DevFlowAgents", "DevFlowGit", "DevFlowGraph", "ChatCompletionsTestServer"]),
        // Forge webhooks read from bytes alone: verification, each forge's payloads, the DevFlow event. No networking.
        .target(
            name: "DevFlowWebhooks", dependencies: ["DevFlowGraph", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "DevFlowWebhooksTests", dependencies: ["DevFlowWebhooks", "DevFlowGraph", "DevFlowTestSupport"],
            exclude: ["Fixtures"]),
        // Outbound calls to forges (commit statuses) and chat webhooks (notifications) for `devflow serve`; no server
        // framework, no runner.
        .target(
            name: "DevFlowForges",
            dependencies: [
                "DevFlowWebhooks", "DevFlowGraph", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        // A scripted forge / chat webhook server (SwiftNIO, 127.0.0.1, ephemeral port) recording every request.
        .target(
            name: "FakeForgeServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/FakeForgeServer"),
        .testTarget(
            name: "DevFlowForgesTests",
            dependencies: ["DevFlowForges", "DevFlowGraph", "DevFlowTestSupport", "FakeForgeServer"]),
        // What a step hands back to the runner, read from bytes alone: outputs files and agents' answers.
        .target(name: "DevFlowStepIO", dependencies: ["DevFlowGraph", "DevFlowAgents"]),
        .testTarget(name: "DevFlowStepIOTests", dependencies: ["DevFlowStepIO"]),
        // Executes the graph: worker pool, retries, breakers, outputs, masking, resume. Sees the graph, never YAML.
        .target(
            name: "DevFlowRunner",
            dependencies: [
                "DevFlowGraph", "DevFlowStore", "DevFlowProcess", "DevFlowAgents", "DevFlowGit",
                "DevFlowStepIO",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The `llm` agent's host for the runner (DevFlowLLM over AsyncHTTPClient), injected by the CLI and the server.
        .target(name: "DevFlowLLMHost", dependencies: ["DevFlowRunner", "DevFlowLLM", "DevFlowGit"]),
        .testTarget(
            name: "DevFlowRunnerTests",
            dependencies: [
                "DevFlowRunner", "DevFlowProcess", "DevFlowStepIO", "DevFlowCompiler", "DevFlowTestSupport",
                "DevFlowStoreTestSupport",
                "ChatCompletionsTestServer", "DevFlowRunCommands", "DevFlowLLMHost",
            ]),
        // Flags and exit-code handling shared by the two executables.
        .target(
            name: "DevFlowCommandLine",
            dependencies: ["DevFlowLint", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // `devflow lsp`: the language server over stdio, from the same linter; the grammar is embedded for keys and hovers.
        .target(
            name: "DevFlowLanguageServer",
            dependencies: ["DevFlowLint", "DevFlowCompiler", "DevFlowDiagnostics", "DevFlowGraph"],
            resources: [.embedInCode("Grammar/devflow.schema.json")]),
        .testTarget(
            name: "DevFlowLanguageServerTests",
            dependencies: ["DevFlowLanguageServer", "DevFlowGraph", "DevFlowTestSupport"], exclude: ["Snapshots"]),
        // Library entry points of devflow run / runs / breakers (the lint binary does not link the runner).
        .target(
            name: "DevFlowRunCommands",
            dependencies: [
                "DevFlowRunner", "DevFlowStore", "DevFlowStorePostgres", "DevFlowLint", "DevFlowGraph", "DevFlowGit",
                "DevFlowDiagnostics", "DevFlowAnalytics", "DevFlowLLMHost",
            ]),
        // The dashboard's pages: Mustache templates and plain JS/CSS embedded in the binary, server-rendered SVG charts,
        // page models from the store's records and the analytics reports. No HTTP here: the server routes to it.
        .target(
            name: "DevFlowDashboard",
            dependencies: [
                "DevFlowStore", "DevFlowAnalytics", "DevFlowGraph",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.embedInCode("Templates"), .embedInCode("Assets")]),
        .testTarget(
            name: "DevFlowDashboardTests", dependencies: ["DevFlowDashboard", "DevFlowStore", "DevFlowAnalytics"]),
        // `devflow serve`: webhooks, the durable queue's workers, checkout, statuses, health and metrics (Hummingbird 2).
        // The API's request readers from bytes and text alone: bodies, fields, query parameters, cursors, Last-Event-ID;
        // the error every refusal is. No server framework, so that they are tested and fuzzed alone.
        .target(
            name: "DevFlowAPIRequests",
            dependencies: [
                "DevFlowGraph", .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(name: "DevFlowAPIRequestsTests", dependencies: ["DevFlowAPIRequests", "DevFlowGraph"]),
        .target(
            name: "DevFlowServer",
            dependencies: [
                "DevFlowAnalytics", "DevFlowDashboard",
                "DevFlowRunner", "DevFlowStore", "DevFlowStorePostgres", "DevFlowCompiler", "DevFlowGraph",
                "DevFlowGit",
                "DevFlowDiagnostics", "DevFlowAgents", "DevFlowForges", "DevFlowWebhooks", "DevFlowRunCommands",
                "DevFlowLint", "DevFlowAPIRequests", "DevFlowLLMHost",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "DevFlowServerTests",
            dependencies: [
                "DevFlowServer", "DevFlowStore", "DevFlowTestSupport", "DevFlowStoreTestSupport", "DevFlowCompiler",
                "DevFlowForges", "DevFlowWebhooks", "DevFlowAPIRequests", "ChatCompletionsTestServer",
                "FakeForgeServer", .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .executableTarget(
            name: "devflow",
            dependencies: [
                "DevFlowRunCommands", "DevFlowRunner", "DevFlowAgents", "DevFlowServer",
                "DevFlowCommandLine", "DevFlowLint", "DevFlowLanguageServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The runner's own cost per step, with an executor that starts no process (a benchmark, not a test).
        .executableTarget(
            name: "devflow-bench",
            dependencies: [
                "DevFlowRunner", "DevFlowCompiler", "DevFlowStore", "DevFlowGraph", "DevFlowDiagnostics",
                "DevFlowProcess",
            ]
        ),
        // Claims per second of the durable queue on SQLite or PostgreSQL (a benchmark, not a test).
        .executableTarget(name: "devflow-queue-bench", dependencies: ["DevFlowStore", "DevFlowStorePostgres"]),
        // GitMirror update and checkout, one per process, for bench/checkout-bench.sh (a benchmark, not a test).
        .executableTarget(name: "devflow-git-bench", dependencies: ["DevFlowGit"]),
        .executableTarget(
            name: "devflow-lint",
            dependencies: [
                "DevFlowCommandLine", "DevFlowLint", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DevFlowSyntaxTests", dependencies: ["DevFlowSyntax", "DevFlowTestSupport"]),
        .testTarget(name: "DevFlowGraphTests", dependencies: ["DevFlowGraph"]),
        // Golden-file helper and fixture locations shared by the test targets.
        .target(name: "DevFlowTestSupport", path: "Tests/DevFlowTestSupport"),
        .testTarget(
            name: "DevFlowCompilerTests", dependencies: ["DevFlowCompiler", "DevFlowLint", "DevFlowTestSupport"],
            exclude: ["Fixtures", "Snapshots"]),
        .testTarget(
            name: "DevFlowLintTests", dependencies: ["DevFlowLint", "DevFlowTestSupport"], exclude: ["Snapshots"]),
    ]
)

// libFuzzer targets, one per parser of untrusted bytes: only when scripts/fuzz.sh builds them (DEVFLOW_FUZZ=1, its
// own scratch path, -sanitize=fuzzer,address), never in the default build.
if ProcessInfo.processInfo.environment["DEVFLOW_FUZZ"] != nil {
    package.targets.append(
        .target(name: "DevFlowFuzzSupport", dependencies: ["DevFlowDiagnostics"], path: "fuzz/support"))
    for (name, dependencies) in [
        ("fuzz-compiler", ["DevFlowCompiler", "DevFlowDiagnostics"]),
        ("fuzz-expressions", ["DevFlowCompiler", "DevFlowDiagnostics"]),
        ("fuzz-server-config", ["DevFlowCompiler", "DevFlowDiagnostics"]),
        ("fuzz-manual-inputs", ["DevFlowCompiler", "DevFlowGraph"]),
        ("fuzz-outputs-file", ["DevFlowStepIO"]),
        ("fuzz-agent-answer", ["DevFlowStepIO", "DevFlowAgents"]),
        ("fuzz-webhooks", ["DevFlowWebhooks"]),
        ("fuzz-api-requests", ["DevFlowAPIRequests", "DevFlowGraph"]),
    ] {
        package.targets.append(
            .executableTarget(
                name: name, dependencies: (dependencies + ["DevFlowFuzzSupport"]).map { .target(name: $0) },
                path: "fuzz/targets/\(name)",
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}
