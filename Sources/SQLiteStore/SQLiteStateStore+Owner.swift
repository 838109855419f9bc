import GRDB
import Pipeline

/// Which config owns the state: two rows of the `meta` table (schema 3).
extension SQLiteStateStore {
    public func owner() throws -> StateOwner? {
        try access { try queue.read { db in try Self.readOwner(db) } }
    }

    public func recordOwner(_ owner: StateOwner, ifCurrent expected: StateOwner?) throws -> Bool {
        try access {
            try queue.write { db in
                guard try Self.readOwner(db) == expected else { return false }
                for (key, value) in [("owner_host", owner.host), ("owner_config", owner.config)] {
                    try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
                }
                return true
            }
        }
    }

    /// The recorded owner (nil when none, or when the file predates the `meta` table and is opened read-only).
    static func readOwner(_ db: Database) throws -> StateOwner? {
        guard try db.tableExists("meta") else { return nil }
        var values: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta WHERE key IN ('owner_host', 'owner_config')") {
            values[row["key"]] = row["value"]
        }
        guard let host = values["owner_host"], let config = values["owner_config"] else { return nil }
        return StateOwner(host: host, config: config)
    }
}
