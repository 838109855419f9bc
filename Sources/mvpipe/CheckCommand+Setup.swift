import Foundation
import Pipeline

extension CheckCommand {
    /// Whether `account` could run this config: every source, notifier and the state asked in turn; one line per
    /// problem, each saying what to do.
    static func setupProblems(_ config: PipelineConfig, account: Account, environment: [String: String]) -> [String] {
        var problems: [String] = []
        for source in config.sources {
            let found = (source.plugin as? SetupCheckable)?.setupProblems(for: account, environment: environment) ?? []
            problems += found.map { "source [\(source.name)]: \($0)" }
        }
        for notifier in config.notifiers {
            let found = (notifier.plugin as? SetupCheckable)?.setupProblems(for: account, environment: environment) ?? []
            problems += found.map { "notifier [\(notifier.name)]: \($0)" }
        }
        problems += stateProblems(config.state, account: account).map { "state: \($0)" }
        return problems
    }

    /// A SQLite state: its folder must exist and let `account` create files (the state, its lock, SQLite's
    /// journal), and the state and lock, when there, must belong to it (unless it is root).
    static func stateProblems(_ state: StateLocation, account: Account) -> [String] {
        guard case .sqlite(let path) = state else { return [] }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            return ["the state folder \(folder) does not exist; create it for \(account): `install -d -o \(account) -m 750 \(folder)`"]
        }
        if let problem = account.problem(.write, folder + "/.") ?? account.problem(.execute, folder + "/.") {
            return ["the state folder: \(problem)"]
        }
        var problems: [String] = []
        for file in [path, path + ".lock"] {
            var info = stat()
            guard stat(file, &info) == 0 else { continue }
            if account.uid != 0 && info.st_uid != account.uid {
                let owner = Account.userName(info.st_uid)
                problems.append("\(file) belongs to \(owner), not to \(account) (a command once run as \(owner)?): give it to \(account) with `chown -R \(account): \(folder)`, or run mvpipe as \(owner) (`sudo -u \(owner) mvpipe ...`)")
            } else if let problem = account.problem(.write, file) {
                problems.append(problem)
            }
        }
        return problems
    }
}
