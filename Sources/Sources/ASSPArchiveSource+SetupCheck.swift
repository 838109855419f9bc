import Foundation
import Pipeline

extension ASSPArchiveSource: SetupCheckable {
    /// The archive root must be readable and hold the first folders of the layout (year folders for the default
    /// `YEAR/MONTH/DAY/FROM`).
    public func setupProblems(for account: Account, environment: [String: String]) -> [String] {
        let problems = account.folderProblems(options.path, what: "the archive root")
        guard problems.isEmpty else { return problems }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: options.path)) ?? []
        let first = options.layout[0]
        let digits = first == .year ? 4 : 2
        let fits = names.contains { name in
            guard !name.hasPrefix(".") else { return false }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: options.path + "/" + name, isDirectory: &isFolder), isFolder.boolValue else { return false }
            return first == .from ? true : name.count == digits && name.allSatisfy(\.isASCII) && name.allSatisfy(\.isNumber)
        }
        guard !fits else { return [] }
        let what = first == .year ? "year folders (YYYY)" : first == .from ? "sender folders" : "\(first.rawValue.lowercased()) folders (\(String(repeating: "9", count: digits)))"
        return ["the archive root \(options.path) has no \(what); check that \"path\" is ASSP_ARCoutPATH up to its first variable and \"layout\" (\(options.layout.map(\.rawValue).joined(separator: "/"))) the rest, and that ASSP archives outgoing mail (ASSP_ARC)"]
    }
}
