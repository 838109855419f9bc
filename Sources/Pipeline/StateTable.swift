/// One table of mvpipe's state as `state export`, `import` and `check` see it: its name, its
/// columns with their kinds, and the key that orders its rows.
///
/// The export format is defined by these tables, not by SQLite, so another store (PostgreSQL)
/// can read and write the same files.
public struct StateTable: Sendable, Equatable {
    /// What a column holds.
    public enum Kind: Sendable, Equatable {
        /// Text (untrusted names are stored as they came).
        case text
        /// A day, `YYYY-MM-DD`.
        case day
        /// A whole number, at least `minimum`.
        case integer(minimum: Int64)
        /// A floating-point number (times in seconds since 1970).
        case real
        /// Bytes (base64 in exports).
        case blob
    }

    /// One column.
    public struct Column: Sendable, Equatable {
        /// Its name.
        public var name: String
        /// What it holds.
        public var kind: Kind
        /// Whether it may be null.
        public var nullable: Bool

        /// Creates a column.
        public init(_ name: String, _ kind: Kind, nullable: Bool = false) {
            self.name = name
            self.kind = kind
            self.nullable = nullable
        }
    }

    /// The table's name (also the `"table"` field of its export lines).
    public var name: String
    /// Its columns, in export order.
    public var columns: [Column]
    /// The columns that order (and identify) its rows.
    public var key: [String]

    /// Creates a table description.
    public init(name: String, columns: [Column], key: [String]) {
        self.name = name
        self.columns = columns
        self.key = key
    }

    /// Daily counts per source and user.
    public static let volume = StateTable(name: "volume", columns: [
        Column("source", .text), Column("day", .day), Column("user", .text),
        Column("messages", .integer(minimum: 0)), Column("recipients", .integer(minimum: 0), nullable: true),
    ], key: ["source", "day", "user"])
    /// Which days each source has read, and whether they are final.
    public static let sourceDay = StateTable(name: "source_day", columns: [
        Column("source", .text), Column("day", .day), Column("final", .integer(minimum: 0)), Column("updated_at", .real),
    ], key: ["source", "day"])
    /// Each source's opaque checkpoint.
    public static let sourceCheckpoint = StateTable(name: "source_checkpoint", columns: [
        Column("source", .text), Column("data", .blob), Column("updated_at", .real),
    ], key: ["source"])
    /// Per-user messages per 5-minute bucket (start in seconds since 1970).
    public static let bucket = StateTable(name: "bucket", columns: [
        Column("source", .text), Column("user", .text), Column("start", .integer(minimum: 0)), Column("messages", .integer(minimum: 0)),
    ], key: ["source", "user", "start"])
    /// Alerts raised (`payload` is the alert as notifiers receive it, JSON).
    public static let alert = StateTable(name: "alert", columns: [
        Column("id", .integer(minimum: 1)), Column("day", .day), Column("user", .text), Column("messages", .integer(minimum: 0)),
        Column("sequence", .integer(minimum: 1)), Column("payload", .text), Column("raised_at", .real),
    ], key: ["id"])
    /// Each notifier's record of each alert.
    public static let delivery = StateTable(name: "delivery", columns: [
        Column("alert_id", .integer(minimum: 1)), Column("notifier", .text), Column("delivered_at", .real, nullable: true),
        Column("superseded", .integer(minimum: 0)), Column("attempts", .integer(minimum: 0)), Column("last_error", .text, nullable: true),
    ], key: ["alert_id", "notifier"])
    /// The highest alert id ever handed out (ids are never reused, so notifiers' idempotency keys stay unique).
    public static let alertSequence = StateTable(name: "alert_sequence", columns: [
        Column("last_id", .integer(minimum: 0)),
    ], key: [])

    /// Accounts a containment action put on hold (``Hold``), in force until `released_at` is set. `alert_id` names
    /// the alert that caused the hold; it need not be in the state (prune may remove the alert, never the hold).
    /// Exported since schema 4: an older export has no holds.
    public static let hold = StateTable(name: "hold", columns: [
        Column("id", .integer(minimum: 1)), Column("action", .text), Column("key", .text), Column("user", .text),
        Column("since", .real), Column("alert_id", .integer(minimum: 0)), Column("day", .day),
        Column("messages", .integer(minimum: 0)), Column("relay", .text),
        Column("released_at", .real, nullable: true), Column("released_by", .text, nullable: true),
    ], key: ["id"])

    /// The client IPs each login was used from, per source, day and user (``ClientIPEvidence``): without them every
    /// address of the next alerts is NEW. A state has them since schema 5; exports of schema 6 made before they were
    /// exported, and all older ones, have none.
    public static let clientIP = StateTable(name: "client_ip", columns: [
        Column("source", .text), Column("day", .day), Column("user", .text), Column("ip", .text),
        Column("messages", .integer(minimum: 0)),
    ], key: ["user", "day", "source", "ip"])

    /// Silenced users (``Silence``; `until` is the last day silenced): without them alerts resume for the user.
    /// A state has them since schema 6; exports made before they were exported, and all older ones, have none.
    public static let silence = StateTable(name: "silence", columns: [
        Column("user", .text), Column("until", .day), Column("reason", .text), Column("created_at", .real),
    ], key: ["user"])

    /// Every table, in export order (alerts before their deliveries). A table added later goes at the end, so an
    /// export of an older state stays a prefix of the same lines.
    public static let all: [StateTable] = [volume, sourceDay, sourceCheckpoint, bucket, alert, delivery, alertSequence, hold,
                                           clientIP, silence]

    /// The table called `name`.
    public static func named(_ name: String) -> StateTable? {
        all.first { $0.name == name }
    }
}
