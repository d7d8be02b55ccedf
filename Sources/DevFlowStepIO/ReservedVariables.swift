/// Environment variables a step cannot set for later steps through `$DEVFLOW_ENV`: the runner's own (`DEVFLOW_*`,
/// which later steps must be able to trust), and those that change which programs run or what a shell or the
/// dynamic loader executes before the script does (`PATH`, `LD_*`, `DYLD_*`, `BASH_ENV`, `ENV`, `SHELLOPTS`,
/// `BASHOPTS`, `PS4`, `IFS`, `PROMPT_COMMAND`, `NODE_OPTIONS`). A value written by one step, perhaps from
/// untrusted text, must not take over the steps after it; a pipeline that needs one of them sets it in `env:`,
/// where a reviewer sees it.
enum ReservedVariables {
    /// Names reserved as a whole.
    static let names: Set<String> = [
        "PATH", "IFS", "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PS4", "PROMPT_COMMAND", "NODE_OPTIONS",
    ]
    /// Prefixes reserved for every name that starts with them.
    static let prefixes = ["DEVFLOW_", "LD_", "DYLD_"]

    /// Whether `name` is reserved.
    static func contains(_ name: String) -> Bool {
        names.contains(name) || prefixes.contains { name.hasPrefix($0) }
    }

    /// How the reserved names are listed in messages.
    static let summary = "DEVFLOW_*, PATH, LD_*, DYLD_* and the shells' start-up variables"
}
