import ArgumentParser
import DevFlowServer

/// `devflow trigger REPO [--ref REF] [--input K=V]…`: queue a manual run in the server's store, or with `--server`
/// through its API.
struct TriggerSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger", abstract: "Queue a manual run of a repository on the server.")

    @Argument(help: "The repository's full name, as in the server configuration.")
    var repository: String

    @Option(help: "The branch or ref to run (default: the repository's default branch).")
    var ref: String?

    @Option(name: .customLong("input"), help: "An input of on.manual, NAME=VALUE (repeatable).")
    var inputs: [String] = []

    @Option(help: "The server configuration.")
    var config = "devflow-server.yml"

    @Option(help: "The server's database (overrides 'db').")
    var db: String?

    @OptionGroup var remote: RemoteOptions

    func run() async throws {
        if let client = try remote.client() {
            let code = await RemoteCommands.trigger(client, repository: repository, ref: ref, inputs: inputs).emit()
            if code != 0 { throw ExitCode(code) }
            return
        }
        let code = TriggerCommand.trigger(repository: repository, ref: ref, inputs: inputs, config: config, db: db)
        if code != 0 { throw ExitCode(code) }
    }
}
