import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Account {
    /// Problems reading log files named by `patterns` (paths or globs): every matched file must be readable, and
    /// the patterns together must match something (`hint` says what they should name, e.g. "Postfix's mail log").
    public func logFileProblems(_ patterns: [String], hint: String) -> [String] {
        var problems: [String] = []
        var matched = 0
        for pattern in patterns {
            var matches = glob_t()
            defer { globfree(&matches) }
            guard glob(pattern, 0, nil, &matches) == 0 else { continue }  // judged below if nothing matched
            for i in 0..<Int(matches.gl_pathc) {
                guard let raw = matches.gl_pathv[i] else { continue }
                matched += 1
                let path = String(cString: raw)
                if let problem = problem(.read, path) { problems.append(problem) }
            }
        }
        if matched == 0 {
            let folders = Set(patterns.map { ($0 as NSString).deletingLastPathComponent })
            let blocked = folders.sorted().compactMap { folder in
                FileManager.default.fileExists(atPath: folder) ? problem(.read, folder) : nil
            }
            problems += blocked
            problems.append("no file matches \(patterns.joined(separator: ", ")); check \"paths\" (it should name \(hint))")
        }
        return problems
    }

    /// Problems reading the folder `path` (it must exist and be listable); `what` names it.
    public func folderProblems(_ path: String, what: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            return ["\(what) \(path) does not exist; check \"path\""]
        }
        guard isFolder.boolValue else { return ["\(what) \(path) is not a folder; check \"path\""] }
        if let problem = problem(.read, path) { return [problem] }
        if let problem = problem(.execute, path + "/.") { return [problem] }
        return []
    }

    /// A problem reading the secret, when it is kept in a file this account may not read.
    public func secretProblems(_ secret: Secret?, key: String) -> [String] {
        guard let secret, case .file(let path) = secret.origin else { return [] }
        guard let problem = problem(.read, path) else { return [] }
        return ["secret file of \"\(key)_file\": \(problem)"]
    }

    /// A problem running `command` (a program name looked up in `PATH`, or a path), with what to do.
    public func programProblems(_ command: String, key: String, environment: [String: String], install: String) -> [String] {
        if command.contains("/") {
            guard FileManager.default.fileExists(atPath: command) else {
                return ["the program \(command) (\"\(key)\") does not exist; \(install), or correct \"\(key)\""]
            }
            return problem(.execute, command).map { [$0] } ?? []
        }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":").map(String.init) where !folder.isEmpty {
            let candidate = (folder as NSString).appendingPathComponent(command)
            if FileManager.default.fileExists(atPath: candidate) {
                return problem(.execute, candidate).map { [$0] } ?? []
            }
        }
        return ["the program \(command) (\"\(key)\") is not found in PATH (\(path)); \(install), or set \"\(key)\" to its full path"]
    }
}
