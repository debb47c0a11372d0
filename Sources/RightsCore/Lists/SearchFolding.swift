import Foundation

/// Text as a search compares it: lower case, no diacritics (`đ` as `d`), spaces collapsed, so an officer who types
/// "nguyen thi" without a Vietnamese keyboard finds "Nguyễn Thị Lan". The stored text is never changed.
public enum SearchFolding {
    public static func fold(_ text: String) -> String {
        let folded = text.precomposedStringWithCanonicalMapping
            .replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "d")
            .folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
        return folded.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
