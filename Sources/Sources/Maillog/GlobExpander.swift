#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Expands shell patterns (`*`, `?`, `[...]`) with `glob(3)` into paths as raw bytes.
enum GlobExpander {
    /// Every existing path the patterns match, each once, in pattern order (sorted within a pattern).
    static func expand(_ patterns: [String]) -> [[UInt8]] {
        var seen = Set<[UInt8]>()
        var result: [[UInt8]] = []
        for pattern in patterns {
            var matches = glob_t()
            defer { globfree(&matches) }
            guard glob(pattern, 0, nil, &matches) == 0 else { continue }
            for i in 0..<Int(matches.gl_pathc) {
                guard let raw = matches.gl_pathv[i] else { continue }
                let path = UnsafeRawPointer(raw).withMemoryRebound(to: UInt8.self, capacity: strlen(raw) + 1) {
                    Array(UnsafeBufferPointer(start: $0, count: strlen(raw)))
                }
                if seen.insert(path).inserted { result.append(path) }
            }
        }
        return result
    }
}
