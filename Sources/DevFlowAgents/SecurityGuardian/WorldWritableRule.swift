/// `world-writable`: permissions that let any local user write (`chmod 777`, `o+w`, `0o666`).
enum WorldWritableRule {
    static let rule = PatternRule(
        id: "world-writable", severity: .medium, summary: "World-writable permissions",
        message: "World-writable permissions let any local user modify the file; grant only what is needed.",
        pattern:
            "\\bchmod\\s+(?:-[A-Za-z]+\\s+)*(?:0?[0-7]?[0-7][0-7][2367]|[ugo]*[ao][ugo]*[+=][rwxXst]*w[rwxXst]*)(?![0-9A-Za-z])"
            + "|\\bchmod(?:Sync)?\\s*\\([^)\\n]*,\\s*0o?[0-7]?[0-7][0-7][2367]\\b|\\b0o777\\b",
        keywords: ["chmod", "777"],
        examples: GuardianExamples(
            triggering: [
                "chmod 777 /srv/app",
                "chmod -R 777 storage",
                "os.chmod(path, 0o777)",
                "chmod a+w shared.log",
                "chmod o+w shared.log",
                "fs.chmodSync(p, 0o666)",
                "try fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: p)",
            ],
            nonTriggering: [
                "chmod 755 bin/tool",
                "chmod 0644 config",
                "chmod u+x script.sh",
                "chmod +x script.sh",
                "os.chmod(path, 0o755)",
            ]))
}
