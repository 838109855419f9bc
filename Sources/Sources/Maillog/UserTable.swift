/// Interns user names (raw bytes) as small integers, so in-flight state holds 4 bytes per message.
struct UserTable {
    /// Every name, at its id.
    private(set) var names: [[UInt8]] = []
    private var ids: [[UInt8]: Int32] = [:]

    /// The id of `name`, adding it when new.
    mutating func id(for name: [UInt8]) -> Int32 {
        if let id = ids[name] { return id }
        let id = Int32(names.count)
        names.append(name)
        ids[name] = id
        return id
    }

    /// The name of `id` as text (names are checked UTF-8 by ``IdentityBytes``).
    func text(of id: Int32) -> String {
        String(decoding: names[Int(id)], as: UTF8.self)
    }
}
