import Foundation
import Pipeline

/// Lays out an ASSP archive (`ROOT/YYYY/MM/DD/<sender>/<files>`) with chosen counts.
struct ArchiveBuilder {
    let root: String

    init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// Creates `count` message files for `sender` on `day` (sender given as raw bytes allows non-UTF-8 names).
    func add(_ count: Int, sender: String, on day: Day, extension ext: String = "eml") throws {
        try add(count, senderBytes: Array(sender.utf8), on: day, extension: ext)
    }

    /// Creates one file per element of `times` for `sender` on `day`, each modified at that instant.
    func add(sender: String, on day: Day, at times: [Date]) throws {
        try add(times.count, senderBytes: Array(sender.utf8), on: day, times: times)
    }

    /// Creates `count` message files in a sender folder whose name is the given bytes.
    func add(_ count: Int, senderBytes: [UInt8], on day: Day, extension ext: String = "eml", times: [Date]? = nil) throws {
        let dayPath = root + "/" + day.description.replacingOccurrences(of: "-", with: "/")
        try FileManager.default.createDirectory(atPath: dayPath, withIntermediateDirectories: true)
        let folder = Array(dayPath.utf8) + [UInt8(ascii: "/")] + senderBytes
        let folderPath = folder + [0]
        let made = folderPath.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { mkdir($0.baseAddress!, 0o755) }
        }
        guard made == 0 || errno == EEXIST else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
        let existing = (try? countExisting(folder)) ?? 0
        for i in existing..<(existing + count) {
            let file = folder + Array("/m\(i).\(ext)".utf8) + [0]
            let fd = file.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY | O_TRUNC, 0o644) }
            }
            guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno)!) }
            if let times {
                let t = times[i - existing].timeIntervalSince1970
                var spec = [timespec(tv_sec: Int(t), tv_nsec: 0), timespec(tv_sec: Int(t), tv_nsec: 0)]
                futimens(fd, &spec)
            }
            close(fd)
        }
    }

    private func countExisting(_ folder: [UInt8]) throws -> Int {
        let path = folder + [0]
        guard let dir = path.withUnsafeBufferPointer({ b in b.withMemoryRebound(to: CChar.self) { opendir($0.baseAddress!) } }) else {
            return 0
        }
        defer { closedir(dir) }
        var n = 0
        while let e = readdir(dir) {
            let first = UnsafeRawPointer(e.pointer(to: \.d_name)!).load(as: UInt8.self)  // not the whole d_name: see DirectoryReader
            if first != UInt8(ascii: ".") { n += 1 }
        }
        return n
    }
}
