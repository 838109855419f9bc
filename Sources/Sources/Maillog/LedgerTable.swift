/// A bounded table of what a format remembers between lines, files and runs: messages in flight by queue or
/// message ID, or sessions by connection. Entries age out by log time, and the oldest go first when there are
/// more than ``capacity``; both happen in ``evict(newest:)``, which the tracker calls every so many lines.
struct LedgerTable<Key: LedgerKey, Entry: LedgerEntry> {
    /// The entries.
    private(set) var entries: [Key: Entry] = [:]
    /// How long (log time) an entry is kept after its stamp.
    let maxAge: Int64
    /// How long a provisional entry (``LedgerEntry/isProvisional``) is kept.
    let provisionalMaxAge: Int64
    /// The most entries kept; beyond it the oldest are forgotten, down to 90 % of it.
    let capacity: Int
    /// Entries forgotten because there were more than ``capacity``.
    private(set) var forgotten = 0

    init(maxAge: Int64, provisionalMaxAge: Int64? = nil, capacity: Int) {
        self.maxAge = maxAge
        self.provisionalMaxAge = provisionalMaxAge ?? maxAge
        self.capacity = capacity
    }

    subscript(key: Key) -> Entry? {
        get { entries[key] }
        set { entries[key] = newValue }
    }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// Forgets entries too old to matter at log time `newest`, then the oldest beyond ``capacity``.
    mutating func evict(newest: Int64) {
        guard !entries.isEmpty, newest != .min else { return }
        let horizon = newest - maxAge
        let provisionalHorizon = newest - provisionalMaxAge
        func keeps(_ entry: Entry) -> Bool { entry.stamp >= (entry.isProvisional ? provisionalHorizon : horizon) }
        if entries.values.contains(where: { !keeps($0) }) {
            entries = entries.filter { keeps($0.value) }
        }
        if entries.count > capacity {
            let keep = capacity - capacity / 10
            let cutoff = entries.values.map(\.stamp).sorted(by: >)[keep - 1]
            let before = entries.count
            entries = entries.filter { $0.value.stamp > cutoff }
            forgotten += before - entries.count
        }
    }

    /// Writes the entries; `remap` turns a user into the index of its name in the checkpoint.
    func encode(to writer: inout CheckpointWriter, remap: [Int32: Int64]) {
        writer.append(UInt64(entries.count))
        for (key, entry) in entries {
            key.encode(to: &writer)
            entry.encode(to: &writer, user: entry.user >= 0 ? remap[entry.user]! : -1)
        }
    }

    /// Reads what ``encode(to:remap:)`` wrote, replacing the entries; `user` turns a saved index into a user.
    mutating func decode(from reader: inout CheckpointReader, user: (Int64) throws -> Int32) throws {
        let count = try reader.int()
        var decoded: [Key: Entry] = [:]
        decoded.reserveCapacity(count)
        for _ in 0..<count {
            let key = try Key(decoding: &reader)
            decoded[key] = try Entry(decoding: &reader, user: user)
        }
        entries = decoded
    }

    /// The users the entries are charged to.
    var users: some Sequence<Int32> { entries.values.lazy.map(\.user).filter { $0 >= 0 } }
}
