// The libgit2 side of bench/checkout-bench.sh: one GitMirror operation per process, so that the script times it
// exactly as it times the git CLI (a benchmark, not a test).
//
//     devflow-git-bench update REMOTE MIRROR                  clone once, fetch and prune after
//     devflow-git-bench checkout MIRROR REVISION WORKSPACE
//
// Each prints its result (the action, the commit) and the nanoseconds the GitMirror call took inside the process.
import DevFlowGit
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "update" where arguments.count == 3:
        let start = DispatchTime.now().uptimeNanoseconds
        let update = try GitMirror(remoteURL: arguments[1], directory: arguments[2]).update()
        print(update.action.rawValue, DispatchTime.now().uptimeNanoseconds - start)
    case "checkout" where arguments.count == 4:
        let start = DispatchTime.now().uptimeNanoseconds
        let checkout = try GitMirror(remoteURL: "", directory: arguments[1]).checkout(
            commit: arguments[2], into: arguments[3])
        print(checkout.commit, DispatchTime.now().uptimeNanoseconds - start)
    default:
        FileHandle.standardError.write(
            Data(
                "usage: devflow-git-bench update REMOTE MIRROR | checkout MIRROR REVISION WORKSPACE\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("devflow-git-bench: \(error)\n".utf8))
    exit(1)
}
