import Foundation
import Testing

/// Runs `mvpipe` as an account that may not read some files: the "forgot `adduser mvpipe adm`" case.
///
/// Tests usually run as root (containers, CI), and root reads every file whatever its mode, so `chmod 000` alone
/// proves nothing there. As root, mvpipe is started as `nobody` (uid and gid 65534, no supplementary groups) through
/// util-linux's `setpriv`, and a file is made unreadable the way Debian's logs are: owned by root, group `adm`,
/// mode 0640. As any other user, the file gets mode 000 and mvpipe runs as that user. Either way the kernel refuses
/// the `open` with EACCES, exactly as on a relay.
enum Unprivileged {
    /// nobody / nogroup.
    static let id: UInt32 = 65534
    static var asRoot: Bool { getuid() == 0 }

    /// Makes `path` unreadable for the account ``run(_:)`` uses.
    static func denyRead(_ path: String) {
        if asRoot {
            chown(path, 0, 4)  // root:adm, as /var/log/mail.log on Debian
            chmod(path, 0o640)
        } else {
            chmod(path, 0)
        }
    }

    /// Lets that account create files in `folder` (the state file, the metrics).
    static func allowWrite(_ folder: String) {
        if asRoot { chown(folder, id, id) }
    }

    /// Runs `mvpipe ARGS` as that account; records an issue when this machine cannot start it so.
    static func run(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIRunner.Result {
        guard asRoot else { return try CLIRunner.run(arguments) }
        guard let binary = binaryForNobody else {
            Issue.record("cannot run mvpipe as nobody with setpriv on this machine (see Unprivileged.swift)", sourceLocation: sourceLocation)
            return CLIRunner.Result(status: -1, stdout: "", stderr: "")
        }
        return try CLIRunner.run(launcher: launcher, binary: binary, arguments)
    }

    private static let launcher = ["/usr/bin/setpriv", "--reuid=\(id)", "--regid=\(id)", "--clear-groups", "--"]

    /// The built binary if nobody may run it, else a copy in a world-readable folder (a checkout under /root is not).
    private static let binaryForNobody: String? = {
        func works(_ binary: String) -> Bool {
            (try? CLIRunner.run(launcher: launcher, binary: binary, ["--version"]).status) == 0
        }
        if works(CLIRunner.binary) { return CLIRunner.binary }
        let folder = NSTemporaryDirectory() + "mvpipe-nobody-\(getpid())"
        let copy = folder + "/mvpipe"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        chmod(folder, 0o755)
        try? FileManager.default.removeItem(atPath: copy)
        guard (try? FileManager.default.copyItem(atPath: CLIRunner.binary, toPath: copy)) != nil else { return nil }
        chmod(copy, 0o755)
        return works(copy) ? copy : nil
    }()
}
