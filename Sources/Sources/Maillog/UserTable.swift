/// Interns user names (raw bytes) as small integers, so in-flight state holds 4 bytes per message.
///
/// Compact, because a first run can meet a million users: the names lie back to back in one buffer, and an
/// open-addressing table of ids (hashed with the standard library's seeded hasher, so crafted names cannot
/// force collisions) finds them: about 30 bytes per user besides the name, instead of an array and a
/// dictionary entry per name.
struct UserTable {
    /// Every name's bytes, back to back.
    private var storage: [UInt8] = []
    /// Where each name ends in ``storage``, by id.
    private var ends: [UInt32] = []
    /// Each name's hash, by id (to grow the table without hashing again).
    private var hashes: [UInt32] = []
    /// Open addressing: an id, or -1 for an empty slot; the count is a power of two, at most half full.
    private var slots: [Int32] = []

    /// How many users there are.
    var count: Int { ends.count }

    /// The id of `name`, adding it when new.
    mutating func id(for name: [UInt8]) -> Int32 {
        name.withUnsafeBufferPointer { id(for: $0) }
    }

    /// The id of `name`, adding it when new.
    mutating func id(for name: UnsafeBufferPointer<UInt8>) -> Int32 {
        if slots.isEmpty { slots = [Int32](repeating: -1, count: 64) }
        let hash = Self.hash(name)
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let id = slots[slot]
            if id < 0 { break }
            if hashes[Int(id)] == hash && equals(id, name) { return id }
            slot = (slot + 1) & mask
        }
        let id = Int32(ends.count)
        storage.append(contentsOf: name)
        ends.append(UInt32(storage.count))
        hashes.append(hash)
        slots[slot] = id
        if ends.count * 2 > slots.count { grow() }
        return id
    }

    /// The name of `id`.
    func name(of id: Int32) -> [UInt8] {
        let start = id == 0 ? 0 : Int(ends[Int(id) - 1])
        return Array(storage[start..<Int(ends[Int(id)])])
    }

    /// The name of `id` as text (names are checked UTF-8 by ``IdentityBytes``).
    func text(of id: Int32) -> String {
        let start = id == 0 ? 0 : Int(ends[Int(id) - 1])
        return storage.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[start..<Int(ends[Int(id)])]), as: UTF8.self)
        }
    }

    /// Forgets the index from names to ids (``id(for:)`` may not be called afterwards): once reading is done,
    /// only the names are needed, for the report and the checkpoint.
    mutating func dropIndex() {
        slots = []
        hashes = []
    }

    private func equals(_ id: Int32, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = id == 0 ? 0 : Int(ends[Int(id) - 1])
        let end = Int(ends[Int(id)])
        guard end - start == name.count else { return false }
        return storage.withUnsafeBufferPointer { all in
            name.indices.allSatisfy { all[start + $0] == name[$0] }
        }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: slots.count * 2)
        let mask = bigger.count - 1
        for id in 0..<Int32(ends.count) {
            var slot = Int(hashes[Int(id)]) & mask
            while bigger[slot] >= 0 { slot = (slot + 1) & mask }
            bigger[slot] = id
        }
        slots = bigger
    }

    private static func hash(_ name: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(name))
        return UInt32(truncatingIfNeeded: hasher.finalize())
    }
}
