import Foundation
import Testing

/// `check` judges the world, not only the JSON: whether the account that will run mvpipe (`--as USER`) can read
/// the logs, find the mail program, read its secrets and write its state. Each problem is one line saying what to
/// do, and `check` exits 78 when there is any.
@Suite("setup: check checks the world")
struct CheckSetupTests {
    /// The account the broken-setup tests check for: nobody when running as root (root reads anything).
    static var account: String { Unprivileged.asRoot ? "nobody" : String(cString: getpwuid(geteuid())!.pointee.pw_name) }

    @Test func aHealthySetupPasses() throws {
        let site = try SetupSite()
        try site.log(["anna@example.org": 1])
        let check = try site.mvpipe("check", ["--as", Self.account])
        #expect(check.status == 0, "\(check.stdout)\n\(check.stderr)")
        #expect(check.stdout.contains("setup: \(Self.account) can read every source"), "\(check.stdout)")
    }

    @Test func anUnreadableLogIsNamedWithTheFix() throws {
        let site = try SetupSite()
        try site.log(["anna@example.org": 1])
        Unprivileged.denyRead(site.dir.file("logs/mail.log"))
        let check = try site.mvpipe("check", ["--as", Self.account])
        #expect(check.status == 78, "\(check.stdout)\n\(check.stderr)")
        let line = try #require(check.lines.first { $0.contains("source [postfix-log]") }, "\(check.stdout)")
        #expect(line.contains("may not read \(site.dir.file("logs/mail.log"))"), "\(line)")
        #expect(line.contains(Unprivileged.asRoot ? "adduser nobody adm" : "chmod"), "says what to do: \(line)")
        #expect(check.stderr.contains("1 setup problem(s)"), "\(check.stderr)")
    }

    @Test func aLogPatternMatchingNothingIsAProblem() throws {
        let site = try SetupSite()
        let check = try site.mvpipe("check")
        #expect(check.status == 78)
        #expect(check.stdout.contains("no file matches \(site.dir.file("logs/mail.log*")); check \"paths\""), "\(check.stdout)")
    }

    @Test func aRootOwnedStateIsAProblemForTheCronAccount() throws {
        guard Unprivileged.asRoot else { return }  // only root can leave a state another account cannot write
        let site = try SetupSite()
        try site.log(["anna@example.org": 1])
        #expect(try site.mvpipe("run", ["--now", "2026-11-20T12:00"]).status == 0)
        #expect(try site.mvpipe("check").status == 0, "fine for root itself")
        let check = try site.mvpipe("check", ["--as", "nobody"])
        #expect(check.status == 78, "\(check.stdout)")
        #expect(check.stdout.contains("state: \(site.statePath) belongs to root, not to nobody"), "\(check.stdout)")
        #expect(check.stdout.contains("chown -R nobody: \(site.dir.path)"), "\(check.stdout)")
    }

    @Test func aMissingMailProgramIsAProblem() throws {
        let site = try SetupSite(notifiers: [["type": "mailx", "to": ["admin@example.org"], "command": "mvpipe-no-such-mailx"]])
        try site.log(["anna@example.org": 1])
        let check = try site.mvpipe("check", environment: ["PATH": "/usr/bin:/bin"])
        #expect(check.status == 78)
        #expect(check.stdout.contains("notifier [mailx]: the program mvpipe-no-such-mailx (\"command\") is not found in PATH (/usr/bin:/bin)"), "\(check.stdout)")
        #expect(check.stdout.contains("apt-get install bsd-mailx"), "\(check.stdout)")
    }

    @Test func aMissingSecretVariableIsNamedNeverItsValue() throws {
        let site = try SetupSite(notifiers: [["type": "slack", "url_env": "MVPIPE_TEST_SLACK_URL"]])
        try site.log(["anna@example.org": 1])
        let missing = try site.mvpipe("check")
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("environment variable MVPIPE_TEST_SLACK_URL is not set"), "\(missing.stderr)")
        #expect(missing.stderr.contains("EnvironmentFile="), "says where to set it: \(missing.stderr)")
        let secret = "https://hooks.slack.com/services/T0/B0/s3cr3t-value"
        let present = try site.mvpipe("check", environment: ["MVPIPE_TEST_SLACK_URL": secret])
        #expect(present.status == 0, "\(present.stdout)\n\(present.stderr)")
        #expect(!present.stdout.contains("s3cr3t") && !present.stderr.contains("s3cr3t"))
    }

    @Test func anUnreadableSecretFileIsAProblemForTheCronAccount() throws {
        let site = try SetupSite(notifiers: [["type": "slack", "url_file": "slack.url"]])
        try site.log(["anna@example.org": 1])
        try site.dir.write("slack.url", "https://hooks.slack.com/services/T0/B0/s3cr3t-value\n")
        Unprivileged.denyRead(site.dir.file("slack.url"))
        let check = try site.mvpipe("check", ["--as", Self.account])
        #expect(check.status == 78, "\(check.stdout)")
        #expect(check.stdout.contains("notifier [slack]: secret file of \"url_file\": \(Self.account) may not read \(site.dir.file("slack.url"))"), "\(check.stdout)")
        #expect(!check.stdout.contains("s3cr3t") && !check.stderr.contains("s3cr3t"))
    }

    @Test func anArchiveRootWithoutYearFoldersIsAProblem() throws {
        let dir = try TemporaryDirectory("mvpipe-setup-archive")
        try FileManager.default.createDirectory(atPath: dir.file("archive/anna@example.org"), withIntermediateDirectories: true)
        let config = try ConfigFile.write(ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite")),
                                          to: dir.file("pipeline.json"))
        let check = try CLIRunner.run(["check", "--config", config])
        #expect(check.status == 78)
        #expect(check.stdout.contains("the archive root \(dir.file("archive")) has no year folders (YYYY)"), "\(check.stdout)")
        try FileManager.default.createDirectory(atPath: dir.file("archive/2026"), withIntermediateDirectories: false)
        #expect(try CLIRunner.run(["check", "--config", config]).status == 0)
    }

    @Test func anUnknownAccountIsAUsageError() throws {
        let site = try SetupSite()
        let check = try site.mvpipe("check", ["--as", "mvpipe-no-such-account"])
        #expect(check.status == 64)
        #expect(check.stderr.contains("no account mvpipe-no-such-account"), "\(check.stderr)")
    }
}
