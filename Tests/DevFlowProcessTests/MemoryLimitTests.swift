import Foundation
import Testing

@testable import DevFlowProcess

/// `ProcessSpec.memoryLimit` becomes the child's RLIMIT_DATA on both starters, and leaves the parent alone.
@Suite struct MemoryLimitTests {
    static func limits(_ memoryLimit: Int?, fast: Bool) throws -> (ProcessOutcome, [String]) {
        var options = ProcessLauncher.Options()
        options.useFastSpawn = fast
        // Soft and hard "Max data size" from the child's own /proc entry, in bytes.
        let spec = ProcessSpec(
            executable: "/bin/sh", arguments: ["-c", "grep '^Max data size' /proc/$$/limits"], memoryLimit: memoryLimit)
        var lines: [String] = []
        let outcome = try ProcessLauncher.run(spec, options: options, onStart: { _ in }) { line in
            if line.stream == .stdout { lines.append(line.text) }
        }
        return (outcome, lines)
    }

    @Test(arguments: [true, false]) func theChildGetsTheLimit(fast: Bool) throws {
        let (outcome, lines) = try Self.limits(64 << 20, fast: fast)
        #expect(outcome.exitCode == 0)
        let fields = lines.first?.split(separator: " ", omittingEmptySubsequences: true) ?? []
        #expect(fields.count >= 5 && fields[3] == "67108864" && fields[4] == "67108864", "\(lines)")
        var own = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_DATA.rawValue), &own)
        #expect(own.rlim_cur != 64 << 20)
    }

    @Test(arguments: [true, false]) func withoutALimitTheParentsIsInherited(fast: Bool) throws {
        let (outcome, lines) = try Self.limits(nil, fast: fast)
        #expect(outcome.exitCode == 0)
        var own = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_DATA.rawValue), &own)
        let expected = own.rlim_cur == rlim_t.max ? "unlimited" : String(own.rlim_cur)
        #expect(
            lines.first?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.map(String.init)
                == expected)
    }

    @Test func aChildThatAllocatesBeyondItFailsAndTheParentGoesOn() throws {
        // 200 MB into a shell variable: the shell cannot grow its heap that far and dies (or reports the failure).
        let spec = ProcessSpec(
            executable: "/bin/sh",
            arguments: ["-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo ${#x}"],
            memoryLimit: 32 << 20)
        var stdout: [String] = []
        let outcome = try ProcessLauncher.run(spec) { line in if line.stream == .stdout { stdout.append(line.text) } }
        #expect(stdout != ["200000000"], "the shell held 200 MB under a 32 MiB limit")
        #expect(outcome.exitCode != nil || outcome.signal != nil)
    }
}
