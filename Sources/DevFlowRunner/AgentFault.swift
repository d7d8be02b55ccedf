import Foundation

/// Test-only faults for the child process of a built-in agent, so that tests can prove a run survives its agents.
/// `DEVFLOW_AGENT_FAULT=<fault>` in a step's environment is honoured by `devflow agent-child` alone (never by the
/// runner, never in-process) after it has read its context and before the agent runs; unknown values are ignored.
enum AgentFault: String {
    /// The variable that names the fault.
    static let variable = "DEVFLOW_AGENT_FAULT"

    /// The child kills itself with SIGKILL (as the kernel's OOM killer or an operator would).
    case sigkill
    /// The child traps (a Swift runtime failure, as a bug in an agent would).
    case crash
    /// The child never answers (until the step's timeout stops it).
    case hang
    /// The child allocates and touches memory without bound (until the memory limit stops it).
    case allocate

    /// Does what the fault says; returns only for none of them.
    func strike() {
        FileHandle.standardError.write(Data("devflow agent-child: \(Self.variable)=\(rawValue) (a test fault)\n".utf8))
        switch self {
        case .sigkill:
            kill(getpid(), SIGKILL)
        case .crash:
            fatalError("\(Self.variable)=crash")
        case .hang:
            while true { pause() }
        case .allocate:
            var blocks: [UnsafeMutableRawPointer] = []
            while true {
                // malloc returns nil once the limit is reached: the Swift runtime's own allocations then fail too.
                guard let block = malloc(64 << 20) else {
                    FileHandle.standardError.write(
                        Data("devflow agent-child: out of memory after \(blocks.count * 64) MiB\n".utf8))
                    fatalError("out of memory")
                }
                memset(block, 1, 64 << 20)
                blocks.append(block)
            }
        }
    }
}
