/// `state check`'s lines about client IPs and silences, worded the same for every store.
extension StateCheckReport {
    /// One fact about the client IPs kept: rows, users and the days they cover.
    public static func clientIPFact(rows: Int, users: Int, first: String?, last: String?) -> String {
        guard rows > 0, let first, let last else {
            return "client IPs: none (alerts mark every address NEW until the state has seen it)"
        }
        return "client IPs: \(rows) row(s) for \(users) user(s), \(first) to \(last) (kept \(ClientIPEvidence.retentionDays) days)"
    }

    /// One fact about the silences stored: in force on `today` and ended (or only how many, without a day).
    public static func silenceFact(inForce: Int, ended: Int, today: Day?) -> String {
        guard let today else { return "silences: \(inForce + ended)" }
        return "silences: \(inForce) in force on \(today), \(ended) ended"
    }
}
