import Foundation
import Pipeline

/// Containment holds (``HoldLedger``), kept like the SQLite store's `hold` table.
extension MemoryStateStore: HoldLedger {
    public func holds(action: String?, includeReleased: Bool) throws -> [Hold] {
        read { $0.holds.filter { (action == nil || $0.action == action) && (includeReleased || $0.isActive) } }
    }

    public func recordHolds(_ holds: [Hold]) throws {
        write { tables in
            for hold in holds {
                if let i = tables.holds.firstIndex(where: { $0.action == hold.action && $0.key == hold.key && $0.isActive }) {
                    tables.holds[i].alertID = hold.alertID
                    tables.holds[i].day = hold.day
                    tables.holds[i].messages = hold.messages
                } else {
                    var fresh = hold
                    fresh.releasedAt = nil
                    fresh.releasedBy = nil
                    tables.holds.append(fresh)
                }
            }
        }
    }

    public func releaseHolds(keys: [String], action: String?, at date: Date, by who: String) throws -> [Hold] {
        write { tables in
            var released: [Hold] = []
            for i in tables.holds.indices where tables.holds[i].isActive && keys.contains(tables.holds[i].key)
                && (action == nil || tables.holds[i].action == action) {
                tables.holds[i].releasedAt = date
                tables.holds[i].releasedBy = who
                released.append(tables.holds[i])
            }
            return released
        }
    }

    public func recordContainment(_ text: String, action: String, alertID: Int64) throws {
        write { tables in
            guard var alert = tables.alerts[alertID] else { return }
            alert.containment = (alert.containment ?? [:]).merging([action: text]) { $1 }
            tables.alerts[alertID] = alert
        }
    }
}
