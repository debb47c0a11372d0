/// An identifier shown to someone who must tell cases apart but must not learn whom they are about: an inspector
/// reading a report's list of violations, for one. Enough is kept to match a complaint (`+8491****678`,
/// `l***@example.vn`, `zalo:OA:12***89`), never enough to contact the person.
public enum MaskedIdentifier {
    public static func mask(_ normalized: String) -> String {
        if let at = normalized.lastIndex(of: "@") {
            let local = normalized[..<at]
            return "\(local.prefix(1))***\(normalized[at...])"
        }
        if let colon = normalized.lastIndex(of: ":") {
            let prefix = normalized[...colon]
            return prefix + middle(String(normalized[normalized.index(after: colon)...]), keep: (2, 2))
        }
        return middle(normalized, keep: (5, 3))
    }

    private static func middle(_ text: String, keep: (head: Int, tail: Int)) -> String {
        let characters = Array(text)
        guard characters.count > keep.head + keep.tail else { return String(repeating: "*", count: characters.count) }
        let hidden = characters.count - keep.head - keep.tail
        return String(characters.prefix(keep.head)) + String(repeating: "*", count: hidden)
            + String(characters.suffix(keep.tail))
    }
}
