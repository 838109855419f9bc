import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// Counts outgoing mail per envelope sender in the folders ASSP's archive plugin (`ASSP_ARC`, `DoASSP_ARC`) writes:
/// `ASSP_ARCoutPATH`, by default laid out `YEAR/MONTH/DAY/FROM` (`out/2026/12/02/alice@example.org/Subject--3.eml`).
///
/// - `layout` is the part of `ASSP_ARCoutPATH` after the archive root, as set in ASSP: `YEAR`, `MONTH`, `DAY`
///   and `FROM` in any order (`FROM/YEAR/MONTH/DAY` too). The day folder is the day ASSP archived the file.
/// - Every regular, non-hidden file in a sender folder is one message, whatever its extension (`.eml`, `.gz`);
///   `X.eml.aes` next to `X.eml` (encryption done, the plain file not yet removed) is the same message, counted once.
/// - Not counted: hidden files (partial copies), subfolders of a sender folder, anything that is not a regular file
///   (symbolic links too), day folders that are not zero-padded (ASSP pads them), and mail with an empty envelope
///   sender: ASSP_ARC files it as loose files in the folder above `FROM` (when `FROM` ends the path) or under
///   `unknown/` (when more follows); it is no account, and ASSP 2.4.5 files senders it cannot parse there too.
///
/// Folder names are read as raw bytes: spaces, quotes, `$`, backslashes and invalid UTF-8 are all fine.
public struct ASSPArchiveSource: Source {
    /// One element of `ASSP_ARCoutPATH`.
    public enum PathElement: String, Sendable, CaseIterable {
        case year = "YEAR", month = "MONTH", day = "DAY", from = "FROM"
    }

    /// Options of `assp-archive`.
    public struct Options: PluginOptions {
        /// The archive root (the fixed part of `ASSP_ARCoutPATH`).
        public var path: String
        /// The folders below the root, as ASSP names them.
        public var layout: [PathElement]
        /// Whether sender folder names are lower-cased (ASCII), so `Bob@x` and `bob@x` are one user.
        public var lowercase: Bool

        static let path = ConfigOption<String>.path("path", "The archive root: ASSP_ARCoutPATH up to its first variable, e.g. \"/var/assp/archive/out\".")
        static let layout = ConfigOption("layout", default: "YEAR/MONTH/DAY/FROM", "The rest of ASSP_ARCoutPATH: YEAR, MONTH, DAY and FROM in ASSP's order, e.g. \"FROM/YEAR/MONTH/DAY\".")
            .map { text, _ in
                let elements = text.split(separator: "/", omittingEmptySubsequences: true).map { PathElement(rawValue: String($0)) }
                guard elements.count == 4, !elements.contains(nil), Set(elements.compactMap { $0 }).count == 4 else {
                    throw OptionError("expected YEAR, MONTH, DAY and FROM once each, separated by /, as in ASSP_ARCoutPATH (\"YEAR/MONTH/DAY/FROM\"); found '\(UntrustedText.display(text))'")
                }
                return elements.compactMap { $0 }
            }
        static let lowercase = ConfigOption("lowercase", default: true, "Lower-case sender folder names (ASCII letters) so one address in two spellings is one user.")

        public static let specs = OptionSpec.list(path, layout, lowercase)

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            path = try reader.read(Self.path)
            layout = try reader.read(Self.layout)
            lowercase = try reader.read(Self.lowercase)
        }
    }

    public static let type = "assp-archive"
    public static let summary = "Counts messages per sender in ASSP's archive folders (ASSP_ARC; one file = one message)."

    /// The options in force.
    public let options: Options

    public init(options: Options, context: PluginContext) throws {
        self.options = options
    }

    public var description: String {
        "assp-archive: counts files under \(options.path)/\(options.layout.map(\.rawValue).joined(separator: "/"))/"
    }

    public func collect(_ request: CollectRequest) throws -> VolumeReport {
        let root: Int32
        do {
            root = try DirectoryReader.open(Array(options.path.utf8))
        } catch .missing {
            throw SourceError("the archive root \(options.path) does not exist; check \"path\" (ASSP's archive folder)")
        } catch .unreadable(let reason) {
            // Links are never followed (a link would lead out of the archive or count mail twice), the root included.
            if let target = Self.linkTarget(options.path) {
                throw SourceError("the archive root \(options.path) is a symbolic link (to \(target)); links are not followed: set \"path\" to the folder itself (`readlink -f \(options.path)`)")
            }
            throw SourceError("cannot open the archive root \(options.path): \(reason)")
        }
        defer { close(root) }
        // An unmounted share leaves an empty mount point: no folders where mail was counted before.
        if try !hasFirstLevelFolders(root: root), let last = try request.stored.latestDay() {
            let layout = options.layout.map { $0 == .from ? "<sender>" : $0 == .year ? "YYYY" : $0 == .month ? "MM" : "DD" }
            let kind = [.year: "year", .month: "month", .day: "day", .from: "sender"][options.layout[0]]!
            throw SourceError("the archive root \(options.path) holds no \(kind) folders (\(layout.joined(separator: "/"))/), but mail was counted from it before (last on \(last)). Is the share mounted (`findmnt \(options.path)`) and readable by the account mvpipe runs as? Nothing was stored for this source on this run; it is read again on the next one")
        }
        var report = VolumeReport(mode: .snapshot)
        for day in request.pendingDays {
            let span = TimeBuckets.start(of: request.calendar.start(of: day))
                ..< TimeBuckets.start(of: request.calendar.start(of: day.adding(days: 1)))
            var scan = DayScan(day: day, span: span, withTimes: request.wantsBuckets)
            try count(options.layout[...], in: root, at: options.path, sender: nil, into: &scan)
            guard scan.reachedDay else {
                // No folder for the day: a day without mail, unless mail was counted from it before.
                let before = try request.stored.messages(on: day)
                if before > 0 {
                    let folder = options.path + "/" + relativePath(of: day)
                    guard options.layout.first != .from else {
                        throw SourceError("no sender folder in \(options.path) has a folder for \(day) (\(folder)), but \(before) messages of that day were counted from them before. Is the share mounted and readable by the account mvpipe runs as? Nothing was stored for this source on this run. If the folders were removed on purpose, create one empty (`mkdir -p \(folder)`, with a sender's folder name): the counts already stored for that day are kept")
                    }
                    throw SourceError("the archive folder \(folder) is missing, but \(before) messages of that day were counted from it before. Is the share mounted and readable by the account mvpipe runs as? Nothing was stored for this source on this run. If the folder was removed on purpose, create it empty (`mkdir \(folder)`): the counts already stored for that day are kept")
                }
                report.scannedDays.append(day)
                report.bucketSpans.append(span)
                if request.isComplete(day) { report.finalDays.insert(day) }
                continue
            }
            report.counts[day] = scan.counts
            for (user, times) in scan.buckets { report.buckets[user, default: [:]].merge(times, uniquingKeysWith: +) }
            report.bucketSpans.append(span)
            report.skipped += scan.skipped
            report.scannedDays.append(day)
            if request.isComplete(day) { report.finalDays.insert(day) }
        }
        return report
    }

    /// The day's folder as the layout names it (`2026/12/02`, `<sender>/2026/12/02`).
    func relativePath(of day: Day) -> String {
        options.layout.map { element -> String in
            switch element {
            case .year: String(format4: day.year)
            case .month: String(format2: day.month)
            case .day: String(format2: day.day)
            case .from: "<sender>"
            }
        }.dropLast(options.layout.last == .from ? 1 : 0).joined(separator: "/")
    }

    /// Whether the archive root (open as `root`) holds at least one folder of the layout's first level: a year
    /// (four digits), a month or day (two), or a sender.
    private func hasFirstLevelFolders(root: Int32) throws -> Bool {
        let fd = dup(root)  // listing closes what it lists; `root` stays open for the day folders
        var found = false
        let first = options.layout[0]
        do {
            guard fd >= 0 else { throw DirectoryReader.Failure.unreadable(String(cString: strerror(errno))) }
            try DirectoryReader.forEachEntry(of: fd) { entry in
                guard !found, entry.kind == .directory, !entry.isHidden else { return }
                switch first {
                case .from: found = entry.name != Self.unknown
                case .year: found = entry.name.count == 4 && entry.name.allSatisfy { (48...57).contains($0) }
                case .month, .day: found = entry.name.count == 2 && entry.name.allSatisfy { (48...57).contains($0) }
                }
            }
        } catch {
            throw SourceError("cannot list the archive root \(options.path): \(error)")
        }
        return found
    }

    /// What one day's scan found.
    struct DayScan {
        let day: Day
        let span: Range<Int64>
        let withTimes: Bool
        /// Whether a folder of the day was found (with `FROM` first: for at least one sender).
        var reachedDay = false
        var counts: [String: UserVolume] = [:]
        var buckets: [String: [Int64: Int]] = [:]
        var skipped = 0

        init(day: Day, span: Range<Int64>, withTimes: Bool) {
            self.day = day
            self.span = span
            self.withTimes = withTimes
        }
    }

    /// Walks the rest of the layout below the open folder `folder` (shown as `path`): a date element opens that
    /// day's folder (a missing one holds no mail), `FROM` visits every sender folder; at the end the files count.
    func count(_ rest: ArraySlice<PathElement>, in folder: Int32, at path: String, sender: [UInt8]?,
               into scan: inout DayScan) throws {
        guard let element = rest.first else {
            try countFiles(in: folder, at: path, sender: sender ?? [], into: &scan)
            return
        }
        let below = rest.dropFirst()
        switch element {
        case .year, .month, .day:
            let name = element == .year ? String(format4: scan.day.year)
                : element == .month ? String(format2: scan.day.month) : String(format2: scan.day.day)
            let fd: Int32
            do {
                fd = try DirectoryReader.open(Array(name.utf8), in: folder)
            } catch .missing {
                return
            } catch .unreadable(let reason) {
                if let target = Self.linkTarget(path + "/" + name) {
                    throw SourceError("\(path)/\(name) is a symbolic link (to \(target)); links inside the archive are not followed (they could count mail twice or lead out of it): replace it with the folder itself")
                }
                throw SourceError("cannot read \(path)/\(name): \(reason); check that the account mvpipe runs as may read the archive")
            }
            defer { close(fd) }
            if !below.contains(where: { $0 != .from }) { scan.reachedDay = true }
            try count(below, in: fd, at: path + "/" + name, sender: sender, into: &scan)
        case .from:
            var senders: [[UInt8]] = []
            do {
                try DirectoryReader.forEachEntry(of: dup(folder)) { entry in
                    // Loose files here are mail with an empty sender (FROM ends the path); `unknown/` is where
                    // it goes when more follows FROM. Neither is an account.
                    guard entry.kind == .directory, !entry.isHidden, !(below.count > 0 && entry.name == Self.unknown) else { return }
                    senders.append(entry.name)
                }
            } catch {
                throw SourceError("cannot list \(path): \(error)")
            }
            for name in senders {
                let fd: Int32
                do {
                    fd = try DirectoryReader.open(name, in: folder)
                } catch {
                    scan.skipped += 1
                    continue
                }
                defer { close(fd) }
                try count(below, in: fd, at: path + "/" + UntrustedText.decode(name), sender: name, into: &scan)
            }
        }
    }

    /// Where `path` points when it is a symbolic link, else nil.
    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return UntrustedText.decode(buffer[..<n].map { UInt8(bitPattern: $0) })
    }

    /// ASSP_ARC's folder for mail with an empty sender when `FROM` is not the last element.
    static let unknown = Array("unknown".utf8)

    /// Counts the messages in one sender's folder of the day: its regular, non-hidden files, `X.aes` beside `X` once.
    private func countFiles(in folder: Int32, at path: String, sender: [UInt8], into scan: inout DayScan) throws {
        var names = Set<[UInt8]>()
        do {
            try DirectoryReader.forEachEntry(of: dup(folder)) { file in
                guard file.kind == .regular && !file.isHidden else { return }
                names.insert(file.name)
            }
        } catch {
            throw SourceError("cannot list \(path): \(error)")
        }
        let suffix = Array(".aes".utf8)
        var times: [Int64: Int] = [:]
        var messages = 0
        for name in names {
            if name.count > suffix.count, Array(name.suffix(suffix.count)) == suffix, names.contains(Array(name.dropLast(suffix.count))) {
                continue  // the encrypted copy of a file that is still there
            }
            messages += 1
            guard scan.withTimes else { continue }
            let mtime = DirectoryReader.modificationTime(name, in: folder) ?? scan.span.lowerBound
            let clamped = min(max(mtime, scan.span.lowerBound), scan.span.upperBound - 1)
            times[clamped - ((clamped % TimeBuckets.size) + TimeBuckets.size) % TimeBuckets.size, default: 0] += 1
        }
        guard messages > 0 else { return }
        var name = sender
        if options.lowercase {
            for i in name.indices where (65...90).contains(name[i]) { name[i] += 32 }
        }
        let user = UntrustedText.decode(name)
        scan.counts[user, default: UserVolume(messages: 0)].messages += messages
        scan.buckets[user, default: [:]].merge(times, uniquingKeysWith: +)
    }
}

extension String {
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
    init(format4 value: Int) {
        let digits = "\(value)"
        self = String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
    }
}
