import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which machine this process runs on, as recorded with a relay's owner: the system host name and the start of
/// `/etc/machine-id` (when there is one), so two machines configured with one relay name tell apart.
enum Machine {
    /// This machine, e.g. `mx1 (5f2e0c1a9b3d)`.
    static let current: String = {
        #if DEBUG
        // Fault tests play a second machine with this (debug builds only, like MVPIPE_TEST_KILL_AT).
        if let test = ProcessInfo.processInfo.environment["MVPIPE_TEST_MACHINE"], !test.isEmpty { return test }
        #endif
        var buffer = [CChar](repeating: 0, count: 256)
        let name = gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown"
        let id = (try? String(contentsOfFile: "/etc/machine-id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return id.isEmpty ? name : "\(name) (\(id.prefix(12)))"
    }()
}
