#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Expands shell patterns (`*`, `?`, `[...]`) with `glob(3)` into paths as raw bytes.
enum GlobExpander {
    /// What the patterns matched, and the folders that stopped a pattern from matching.
    struct Expansion {
        /// Every existing path the patterns match, each once, in pattern order (sorted within a pattern).
        var paths: [[UInt8]] = []
        /// For patterns that matched nothing: the folder this account may not list or search (with the `errno`),
        /// where that is why (`glob` alone cannot tell "no such file" from "not allowed to look").
        var unlistable: [(folder: [UInt8], code: Int32)] = []
    }

    static func expand(_ patterns: [String]) -> Expansion {
        var seen = Set<[UInt8]>()
        var result = Expansion()
        for pattern in patterns {
            var matches = glob_t()
            defer { globfree(&matches) }
            guard glob(pattern, 0, nil, &matches) == 0 else {
                if let denied = deniedFolder(of: pattern) { result.unlistable.append(denied) }
                continue
            }
            for i in 0..<Int(matches.gl_pathc) {
                guard let raw = matches.gl_pathv[i] else { continue }
                let path = UnsafeRawPointer(raw).withMemoryRebound(to: UInt8.self, capacity: strlen(raw) + 1) {
                    Array(UnsafeBufferPointer(start: $0, count: strlen(raw)))
                }
                if seen.insert(path).inserted { result.paths.append(path) }
            }
        }
        return result
    }

    /// The folder holding the first component of `pattern` with a wildcard (or, for a plain path, its last), when
    /// this account is refused opening it.
    private static func deniedFolder(of pattern: String) -> (folder: [UInt8], code: Int32)? {
        let components = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let wild = components.firstIndex { $0.contains { "*?[".contains($0) } } ?? (components.count - 1)
        var folder = components[..<wild].joined(separator: "/")
        if folder.isEmpty { folder = pattern.hasPrefix("/") ? "/" : "." }
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd < 0 else {
            close(fd)
            return nil
        }
        let code = errno
        return code == EACCES || code == EPERM ? (Array(folder.utf8), code) : nil
    }
}
