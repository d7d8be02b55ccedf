import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowServer
import DevFlowTestSupport
import Foundation
import Testing

/// `devflow-server.yml` is checked like a pipeline: every problem at once, with spans and did-you-mean, and a secret
/// written into the file is refused without being echoed.
@Suite("server configuration")
struct ServerConfigurationTests {
    static let broken = """
        listen: localhost
        workres: 2
        shutdown_grace: 10 minutes
        lease: 1s
        labels: [gpu, "two words"]
        repositories:
          - name: acme/app
            forge: githbu
            clone_url: https://example.com/acme/app.git
            webhook_secret: "s3cr3t-value-in-the-file"
            forks: sometimes
          - name: acme/app
            forge: gitlab
            clone_url: /srv/git/app.git
            webhook_secret: {env: APP_SECRET}
          - forge: bitbucket
        notifications:
          - {kind: slak, url: {env: HOOK}, on: [failures]}
        """

    @Test("every problem of a broken configuration at once, as the compiler prints them (golden)")
    func brokenConfiguration() throws {
        let source = SourceFile(path: "devflow-server.yml", text: Self.broken)
        let (_, diagnostics) = ServerConfigurationDecoder.decode(source)
        let renderer = TextRenderer(sources: ["devflow-server.yml": source])
        let text = diagnostics.map { renderer.render($0) }.joined(separator: "\n")
        // Messages never quote a secret (the excerpt shows the line as the file has it).
        #expect(!diagnostics.contains { $0.message.contains("s3cr3t") }, "a secret was echoed")
        #expect(diagnostics.filter { $0.severity == .error }.count >= 8)
        if let mismatch = Golden.mismatch(
            text, path: Repository.path("Tests/DevFlowServerTests/Snapshots/broken-server-config.out"))
        {
            Issue.record(Comment(rawValue: mismatch))
        }
    }

    @Test("a valid configuration reads every key; secrets resolve from the environment and files")
    func validConfiguration() throws {
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-hook-\(UUID())").path
        try "from-a-file\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secretFile) }
        let text = """
            listen: 127.0.0.1:9090
            public_url: https://ci.example.com
            workers: 3
            processes: 5
            labels: [gpu, cuda-12]
            lease: 10s
            shutdown_grace: 45s
            step_env: [LANG]
            repositories:
              - name: acme/app
                forge: github
                clone_url: file:///srv/git/app.git
                webhook_secret: {env: APP_SECRET}
                status_api: https://api.github.com
                status_token: {file: \(secretFile)}
                forks: never
            notifications:
              - {kind: discord, url: {env: HOOK}, on: [failure]}
            """
        let (configuration, diagnostics) = ServerConfigurationDecoder.decode(
            SourceFile(path: "devflow-server.yml", text: text))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(configuration.workers == 3 && configuration.shutdownGraceSeconds == 45)
        #expect(configuration.processes == 5 && configuration.effectiveProcesses == 5)
        #expect(configuration.labels == ["gpu", "cuda-12"] && configuration.leaseSeconds == 10)
        #expect(configuration.repositories.first?.forks == .never)
        let settings = try ServerSettings(
            configuration: configuration, databasePath: ":memory:", dataDirectory: "/tmp",
            environment: ["APP_SECRET": "from-env", "HOOK": "https://discord.example/hook"])
        #expect(settings.webhookSecrets["acme/app"] == "from-env")
        #expect(settings.leaseSeconds == 10 && settings.workerLabels == ["cuda-12", "gpu", "linux", "x86_64"])
        #expect(settings.statusTokens["acme/app"] == "from-a-file")
        #expect(settings.notificationURLs[0] == "https://discord.example/hook")
        #expect(throws: ServerSetupError.self) {
            try ServerSettings(configuration: configuration, databasePath: ":memory:", dataDirectory: "/tmp")
        }
    }

    @Test("workers up to 10,000 and processes 1 to 1,024; processes default to twice the workers, at most 64")
    func slotsAndProcesses() throws {
        func decode(_ text: String) -> (ServerConfiguration, [String]) {
            let (configuration, diagnostics) = ServerConfigurationDecoder.decode(
                SourceFile(path: "devflow-server.yml", text: text + "\nrepositories: []\n"))
            return (configuration, diagnostics.filter { $0.severity == .error }.map(\.message))
        }
        let (many, none) = decode("workers: 10000")
        #expect(none.isEmpty && many.workers == 10_000 && many.effectiveProcesses == 64)
        #expect(decode("workers: 3").0.effectiveProcesses == 6)
        #expect(decode("workers: 0").0.effectiveProcesses == 2)
        let (_, errors) = decode("workers: 10001\nprocesses: 0")
        #expect(
            errors == [
                "'workers' must be between 0 and 10000 (0: accept webhooks only), found 10001",
                "'processes' must be between 1 and 1024, found 0",
            ])
        let settings = try ServerSettings(
            configuration: decode("workers: 12\nprocesses: 3").0, databasePath: ":memory:", dataDirectory: "/tmp")
        #expect(settings.workers == 12 && settings.processes == 3)
    }
}
