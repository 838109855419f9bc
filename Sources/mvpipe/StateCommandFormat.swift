import Pipeline

/// Wording shared by the `state` commands.
enum StateCommandFormat {
    /// `N rows (volume 3, alert 1, …)` in export table order, tables without rows left out.
    static func rows(_ counts: [String: Int]) -> String {
        let total = counts.filter { $0.key != StateTable.alertSequence.name }.values.reduce(0, +)
        let parts = StateTable.all.compactMap { table in counts[table.name].map { "\(table.name) \($0)" } }
        return "\(total) rows" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
    }
}
