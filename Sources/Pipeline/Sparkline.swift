/// One-line bar charts of small series, for alerts and `explain`.
public enum Sparkline {
    private static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// Each value as one of eight bar heights, scaled to the largest; zero is the lowest bar.
    public static func render(_ values: [Int]) -> String {
        guard let top = values.max(), top > 0 else { return String(repeating: "▁", count: values.count) }
        return String(values.map { v in
            v <= 0 ? levels[0] : levels[min(levels.count - 1, max(1, Int((Double(v) / Double(top) * 7).rounded())))]
        })
    }

    /// A horizontal bar of `value` scaled so `top` fills `width` cells, in eighths.
    public static func bar(_ value: Int, top: Int, width: Int = 40) -> String {
        guard top > 0, value > 0 else { return "" }
        let eighths = Int((Double(value) / Double(top) * Double(width * 8)).rounded())
        let partial: [String] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return String(repeating: "█", count: eighths / 8) + partial[eighths % 8]
    }
}
