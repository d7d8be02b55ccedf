import ArgumentParser
import DevFlowAgents
import Foundation

/// `devflow editorconfig [-f NAME] [-b VERSION] PATH...`: the `.editorconfig` properties of each path, printed as
/// the reference `editorconfig` command prints them.
struct EditorConfigSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "editorconfig",
        abstract: "Print the .editorconfig properties that apply to each path (key=value lines).",
        discussion: """
            Follows the EditorConfig specification and the reference command's options, so the official \
            editorconfig-core-test suite can drive it (bench/editorconfig-conformance.sh). With several paths, \
            each path's lines follow a [path] line.
            """)

    @Option(
        name: .customShort("f"),
        help: ArgumentHelp("The name of the files to read instead of .editorconfig.", valueName: "name"))
    var fileName: String = ".editorconfig"

    @Option(
        name: [.customShort("b"), .customLong("spec-version")],
        help: ArgumentHelp("Apply the rules of this EditorConfig version (e.g. 0.8.0).", valueName: "version"))
    var specVersion: String?

    @Flag(name: [.customShort("v"), .customLong("version")], help: "Print the EditorConfig version followed.")
    var printVersion = false

    @Argument(help: "The files to resolve (they need not exist).")
    var paths: [String] = []

    func run() throws {
        if printVersion {
            print(EditorConfigReport.versionLine)
            return
        }
        do {
            let text = try EditorConfigReport.text(
                for: paths, fileName: fileName, version: specVersion,
                directory: FileManager.default.currentDirectoryPath)
            FileHandle.standardOutput.write(Data(text.utf8))
        } catch let error as EditorConfigReport.UsageError {
            throw ValidationError(error.description)
        }
    }
}
