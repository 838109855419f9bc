import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// Counts outgoing mail in ASSP's archive: `PATH/YYYY/MM/DD/<sender>/<one file per message>`.
///
/// Every regular, non-hidden file in a sender folder is one message, whatever its extension
/// (`.eml`, `.gz`, `.aes`); hidden files, subfolders and symbolic links do not count. Folder names
/// are read as raw bytes: spaces, quotes, `$`, backslashes and invalid UTF-8 are all fine.
public struct ASSPArchiveSource: Source {
    /// Options of `assp-archive`.
    public struct Options: PluginOptions {
        /// The archive root (ASSP's outgoing archive folder).
        public var path: String
        /// Whether sender folder names are lower-cased (ASCII), so `Bob@x` and `bob@x` are one user.
        public var lowercase: Bool

        public static let specs: [OptionSpec] = [
            OptionSpec("path", .string, default: nil, "The archive root, e.g. \"/var/assp/archive/outgoing\"; it holds YYYY/MM/DD/<sender>/ folders."),
            OptionSpec("lowercase", .boolean, default: "true", "Lower-case sender folder names (ASCII letters) so one address in two spellings is one user."),
        ]

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            path = context.resolve(path: try reader.requiredString("path"))
            lowercase = try reader.boolean("lowercase", default: true)
        }
    }

    public static let type = "assp-archive"
    public static let summary = "Counts messages per sender in ASSP's archive folders (one file = one message)."

    /// The options in force.
    public let options: Options

    public init(options: Options, context: PluginContext) throws {
        self.options = options
    }

    public var description: String { "assp-archive: counts files under \(options.path)/YYYY/MM/DD/<sender>/" }

    public func collect(_ request: CollectRequest) throws -> VolumeReport {
        let root: Int32
        do {
            root = try DirectoryReader.open(Array(options.path.utf8))
        } catch .missing {
            throw SourceError("the archive root \(options.path) does not exist; check \"path\" (ASSP's archive folder)")
        } catch .unreadable(let reason) {
            throw SourceError("cannot open the archive root \(options.path): \(reason)")
        }
        defer { close(root) }
        // An unmounted share leaves an empty mount point: no year folders where mail was counted before.
        if try !hasYearFolders(root: root), let last = try request.stored.latestDay() {
            throw SourceError("the archive root \(options.path) holds no year folders (YYYY/MM/DD/<sender>/), but mail was counted from it before (last on \(last)). Is the share mounted (`findmnt \(options.path)`) and readable by the account mvpipe runs as? Nothing was stored for this source on this run; it is read again on the next one")
        }
        var report = VolumeReport(mode: .snapshot)
        for day in request.pendingDays {
            let span = TimeBuckets.start(of: request.calendar.start(of: day))
                ..< TimeBuckets.start(of: request.calendar.start(of: day.adding(days: 1)))
            guard let (counts, skipped) = try count(day: day, root: root, span: span, wantsBuckets: request.wantsBuckets, into: &report) else {
                // No folder for the day: a day without mail, unless mail was counted from it before.
                let before = try request.stored.messages(on: day)
                if before > 0 {
                    let folder = options.path + "/" + Self.relativePath(of: day)
                    throw SourceError("the archive folder \(folder) is missing, but \(before) messages of that day were counted from it before. Is the share mounted and readable by the account mvpipe runs as? Nothing was stored for this source on this run. If the folder was removed on purpose, create it empty (`mkdir \(folder)`): the counts already stored for that day are kept")
                }
                report.scannedDays.append(day)
                report.bucketSpans.append(span)
                if request.isComplete(day) { report.finalDays.insert(day) }
                continue
            }
            report.counts[day] = counts
            report.bucketSpans.append(span)
            report.skipped += skipped
            report.scannedDays.append(day)
            if request.isComplete(day) { report.finalDays.insert(day) }
        }
        return report
    }

    /// `YYYY/MM/DD` of `day`.
    static func relativePath(of day: Day) -> String {
        String(format4: day.year) + "/" + String(format2: day.month) + "/" + String(format2: day.day)
    }

    /// Whether the archive root (open as `root`) holds at least one year folder (four digits).
    private func hasYearFolders(root: Int32) throws -> Bool {
        let fd = dup(root)  // listing closes what it lists; `root` stays open for the day folders
        var found = false
        do {
            guard fd >= 0 else { throw DirectoryReader.Failure.unreadable(String(cString: strerror(errno))) }
            try DirectoryReader.forEachEntry(of: fd) { entry in
                if !found, entry.kind == .directory, entry.name.count == 4, entry.name.allSatisfy({ (48...57).contains($0) }) {
                    found = true
                }
            }
        } catch {
            throw SourceError("cannot list the archive root \(options.path): \(error)")
        }
        return found
    }

    /// Counts one day's folder (nil when it does not exist), and puts each message in the 5-minute bucket of its
    /// file's modification time, kept within the day's `span`.
    func count(day: Day, root: Int32, span: Range<Int64>, wantsBuckets: Bool,
               into report: inout VolumeReport) throws -> ([String: UserVolume], Int)? {
        let relative = Self.relativePath(of: day)
        let dayFD: Int32
        do {
            dayFD = try DirectoryReader.open(Array(relative.utf8), in: root)
        } catch .missing {
            return nil
        } catch .unreadable(let reason) {
            throw SourceError("cannot read \(options.path)/\(relative): \(reason); check that the account mvpipe runs as may read the archive")
        }
        var counts: [String: UserVolume] = [:]
        var skipped = 0
        do {
            try countSenders(dayFD: dayFD, span: span, withTimes: wantsBuckets, into: &counts, buckets: &report.buckets,
                             skipped: &skipped)
        } catch {
            throw SourceError("cannot list \(options.path)/\(relative): \(error)")
        }
        return (counts, skipped)
    }

    private func countSenders(dayFD: Int32, span: Range<Int64>, withTimes: Bool, into counts: inout [String: UserVolume],
                              buckets: inout [String: [Int64: Int]], skipped: inout Int) throws {
        try DirectoryReader.forEachEntry(of: dayFD) { sender in
            guard sender.kind == .directory, !sender.isHidden else { return }
            let senderFD: Int32
            do {
                senderFD = try DirectoryReader.open(sender.name, in: dayFD)
            } catch {
                skipped += 1
                return
            }
            var messages = 0
            var times: [Int64: Int] = [:]
            try DirectoryReader.forEachEntry(of: senderFD) { file in
                guard file.kind == .regular && !file.isHidden else { return }
                messages += 1
                guard withTimes else { return }
                let mtime = DirectoryReader.modificationTime(file.name, in: senderFD) ?? span.lowerBound
                let clamped = min(max(mtime, span.lowerBound), span.upperBound - 1)
                times[clamped - ((clamped % TimeBuckets.size) + TimeBuckets.size) % TimeBuckets.size, default: 0] += 1
            }
            guard messages > 0 else { return }
            var name = sender.name
            if options.lowercase {
                for i in name.indices where (65...90).contains(name[i]) { name[i] += 32 }
            }
            let user = UntrustedText.decode(name)
            counts[user, default: UserVolume(messages: 0)].messages += messages
            buckets[user, default: [:]].merge(times, uniquingKeysWith: +)
        }
    }
}

extension String {
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
    init(format4 value: Int) {
        let digits = "\(value)"
        self = String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
    }
}
