import Foundation

/// A fresh folder under the system temporary folder, removed when the value is dropped.
final class TemporaryDirectory {
    let path: String

    init(_ prefix: String = "mvpipe-test") throws {
        path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path/relative`.
    func file(_ relative: String) -> String { path + "/" + relative }

    /// Writes text to `path/relative`, creating folders.
    @discardableResult
    func write(_ relative: String, _ text: String, executable: Bool = false) throws -> String {
        let target = file(relative)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        if executable { chmod(target, 0o755) }
        return target
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
