import Foundation
import Pipeline

extension ExplainCommand {
    /// The lines `explain` adds after the verdict: the addresses the login was used from that day (new ones marked)
    /// and the user's silence, if any.
    static func evidenceLines(user: String, day: Day, store: any StateStore) throws -> [String] {
        var lines: [String] = []
        if let ips = try ClientIPEvidence.of(user: user, day: day, in: store) {
            lines.append("")
            lines.append("client addresses on \(day) (NEW: not seen with this login in the \(ClientIPEvidence.newAfterDays) days before):")
            for ip in ips {
                lines.append("  \(UntrustedText.display(ip.ip, limit: 45)) \(ip.messages)\(ip.new ? " NEW" : "")")
            }
        }
        if let silence = try (store as? any SilenceStore)?.silences().first(where: { $0.user == user }) {
            lines.append("")
            let state = silence.covers(day) ? "silenced through \(silence.until): counted, but no alert" : "a silence ended after \(silence.until)"
            lines.append("silence: \(state) (\(UntrustedText.display(silence.reason)))")
        }
        return lines
    }
}
