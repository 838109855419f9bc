import Foundation
import Pipeline

extension MemoryStateStore: SilenceStore {
    public func addSilence(_ silence: Silence) throws {
        write { $0.silences[silence.user] = silence }
    }

    public func removeSilence(user: String) throws -> Bool {
        write { $0.silences.removeValue(forKey: user) != nil }
    }

    public func silences() throws -> [Silence] {
        read { $0.silences.values.sorted { $0.user < $1.user } }
    }
}
