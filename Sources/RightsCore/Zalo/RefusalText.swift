import Foundation

/// Whether a message a person sends an Official Account refuses its marketing (RULES-VN.md sections 3 and 5).
///
/// A `.refusal` files an objection to marketing without anyone reading it, so it is kept for texts that say so
/// plainly; `.possible` puts the text in front of an officer (the `/inbox`), which is the place for anything that
/// merely looks like a refusal; `.none` is everything else.
///
/// ## The contract (CONTRACT.md "The web desk")
/// A message whose **whole text** is a refusal keyword — `STOP`, `HUY`/`HỦY`, `TU CHOI`/`TỪ CHỐI` — optionally
/// followed by `QC` or `KM`, or which **pairs** a keyword with an advertising word — `quảng cáo`, `khuyến mãi`,
/// `tin nhắn`, `QC`, `KM` — is a refusal; any other text containing a keyword is at least `.possible`.
///
/// ## How people actually write it
/// Customers rarely send the bare keyword an OA's footer asks for ("Soạn HUY để từ chối"). In Zalo chats they write
/// a sentence, usually a *verb phrase about messages*, with or without diacritics (many type without an input
/// method) and in the teen-code of Vietnamese chat:
/// - "stop sending": `đừng`/`dừng`/`ngừng`/`ngưng`/`thôi` (`thui`, `thoy`)/`bớt`/`khỏi` + `gửi` (`gởi`), `nhắn`,
///   `nhận`, `nt`/`ib` (nhắn tin, inbox), `spam`, `làm phiền`, `liên hệ`: "đừng gửi quảng cáo nữa", "ngừng gửi
///   tin", "thôi gửi tin đi", "đừng nhắn nữa", "xin đừng làm phiền", "bớt gửi tin", "khỏi gửi tin nữa";
/// - "I don't want to receive": a negation — `không` and its chat forms `ko`, `k`, `kg`, `kh`, `hok`, `hk`, `hông`,
///   `hổng`, `khum`, `hem`, `kô`, and `chẳng`/`chả` — with `muốn` (`mún`), `thích`, `cần` or `đồng ý`, then
///   `nhận`: "Tôi không muốn nhận tin khuyến mãi", "k muốn nhận tin nữa", "hok mún nhận qc";
/// - unsubscribing: `hủy`/`huỷ`/`bỏ` + `đăng ký` (`đk`, `dky`, `đăng kí`), `theo dõi`, `quan tâm` (the OA button's
///   older name), `follow`: "hủy đăng ký", "huỷ đăng ký nhận tin", "bỏ theo dõi"; and the English `unsubscribe`,
///   `unsub`, `unfollow`, `opt out`;
/// - the keywords used as verbs: "hủy nhận tin", "từ chối nhận tin", "STOP SMS", "hủy tin km".
///
/// What is "about messages": `tin`, `tin nhắn` (`tn`), `thông báo` (`tb`), `sms`, `zns`, `email`, `mess`, and the
/// advertising words `quảng cáo` (`qc`, the misspelling `quãng cáo`, `quảg cáo`), `khuyến mãi`/`khuyến mại` (`km`,
/// `kmai`), `ưu đãi`, `giảm giá`, `tiếp thị`, `spam`, `marketing`, `ads`. Between a verb and its object people put
/// pronouns and particles (`cho em`, `giùm`, `nữa`/`nx`/`nũa`, `gì`/`j`, `nha`, `ạ`, `ad ơi`, `shop`), which are
/// skipped. `ad` is the admin being addressed, never advertising.
///
/// ## What keeps a lookalike from filing an objection
/// The same verbs are used for orders, deliveries and appointments, and folding removes what tells some words
/// apart, so every rule here can only lower a verdict:
/// - An object that is something else makes a refusal phrase `.possible`: "hủy đơn hàng", "đừng gửi hàng nữa",
///   "ngừng gửi hàng", "hủy lịch hẹn", "hủy đăng ký khóa học". A keyword whose object is an order, goods, a
///   delivery, a booking or an account (`đơn`, `hàng`, `giao`, `lịch`, `vé`, `đặt`, `tài khoản`, ...) does not pair
///   with an advertising word elsewhere in the text ("hủy đơn hàng, tin nhắn xác nhận chưa tới").
/// - `không nhận` without `muốn` is also "did not receive": followed by `được`/`đc`/`dc` it is a complaint and no
///   refusal at all ("Sao tôi không nhận được tin nhắn?"); with a message as object it needs `nữa` ("ko nhận tin
///   nữa") or an advertising word ("không nhận quảng cáo") to be a refusal, otherwise it is `.possible`.
/// - Folded `dung` is `đừng` (don't) and `dừng` (stop) but also `đúng` (yes), `dùng` (use) and the names Dung and
///   Dũng; it counts only when written `đừng`/`dừng`, or as bare `dung` in a text typed without any diacritic (there
///   it is only `.possible` in a text that has them). Likewise `bớt` only when so written (`bot` is a chatbot).
/// - Folded `huy` is also the given name Huy: a `huy` followed by `ơi` is someone being called ("Huy ơi, tin nhắn
///   của mình đâu"); `Huy` written exactly so after a form of address ("anh Huy"), or capitalised and bare in a text
///   that has diacritics elsewhere, is a name. `tu choi` is also "tự chơi" (play on one's own): written with those
///   diacritics it is no keyword of a refusal, only `.possible`.
/// - A keyword or phrase negated by one of the two words before it in the same clause ("không muốn hủy quảng cáo",
///   "đừng hủy KM", "tôi chưa hủy đăng ký") is no refusal; a comma ends the negation's reach ("Không, hủy đăng ký
///   đi" is one).
/// - A question about how, why or when, or a condition (`sao`, `thế nào`, `ntn`, `cách`, `hướng dẫn`, `nếu`, `lỡ`,
///   a final `chưa`) is `.possible`: "Làm sao để hủy đăng ký?" asks, "Nếu hủy đăng ký thì có mất ưu đãi không?"
///   wonders. A polite yes/no request ("ngừng gửi tin giúp em được không?") still refuses.
///
/// How text is compared: it is decomposed (NFD), so precomposed and decomposed input read alike, and cut into words
/// at every character that is neither a letter, a combining mark nor a digit; `. , ; : ! ? …` and line breaks also
/// end a clause. Each word is folded with `ColumnName.fold` (no case, no diacritics, `đ` as `d`), so "HỦY", "hủy",
/// "huỷ" (either placement of the tone mark) and "huy" are one word; the word as written (NFC, lower case) is kept
/// for the few checks above that need its diacritics. Words match whole, so "Huyền", "stopwatch" or "stop2" are no
/// keywords, and "5 km" is a distance, not `km`.
public enum RefusalText {
    public enum Verdict: String, Sendable, Hashable, CaseIterable {
        /// A refusal: file an objection to marketing.
        case refusal
        /// Looks like a refusal but is not clearly one: queue for an officer.
        case possible
        /// No refusal word.
        case none
    }

    public static func classify(_ text: String) -> Verdict {
        Reading(text).verdict
    }

    // MARK: The contract's words (folded)

    /// Refusal keywords, as folded word sequences; `tuchoi` is "từ chối" typed as one word.
    static let keywords: [[String]] = [["stop"], ["huy"], ["tu", "choi"], ["tuchoi"]]

    /// The contract's advertising words, which pair with a keyword anywhere in the text.
    static let advertisingWords: [[String]] = [["quang", "cao"], ["khuyen", "mai"], ["tin", "nhan"], ["qc"], ["km"]]

    /// The words that may follow a keyword in a whole-text refusal ("HỦY QC", "stop km").
    static let keywordSuffixes: Set<String> = ["qc", "km"]

    // MARK: Objects (folded)

    /// Advertising, as the object of a refusal: the contract's words, their chat spellings and their neighbours.
    static let advertisingObjects: [[String]] = [
        ["quang", "cao"], ["quangcao"], ["quag", "cao"], ["qcao"], ["qc"], ["quang", "ba"],
        ["khuyen", "mai"], ["khuyenmai"], ["kmai"], ["km"], ["uu", "dai"], ["giam", "gia"], ["tiep", "thi"],
        ["spam"], ["marketing"], ["ads"], ["sale"], ["voucher"], ["promo"], ["promotion"],
    ]

    /// Messages, as the object of a refusal ("ngừng gửi tin", "STOP SMS"); `tn` is tin nhắn, `tb` thông báo.
    static let messageObjects: [[String]] = [
        ["tin", "nhan"], ["tinnhan"], ["tin"], ["tn"], ["nt"], ["ib"], ["inbox"], ["sms"], ["zns"], ["mess"], ["msg"],
        ["message"], ["messages"], ["thong", "bao"], ["thongbao"], ["tb"], ["email"], ["mail"], ["newsletter"],
    ]

    /// Information (thông tin), a message only when sent or received: "đừng gửi thông tin nữa", "không muốn nhận
    /// thông tin"; right after a keyword ("hủy thông tin của tôi") it asks for erasure, which an officer handles.
    static let information: [[String]] = [["thong", "tin"], ["thongtin"]]

    /// `tin` that is no message: a classified listing (tin đăng, tin rao) or trust (tin tưởng, tin cậy).
    static let notMessages: [[String]] = [["tin", "dang"], ["tin", "rao"], ["tin", "tuong"], ["tin", "cay"]]

    /// What one unsubscribes from: đăng ký (đk, dky, đăng kí), theo dõi, quan tâm (the OA button), follow.
    static let subscriptions: [[String]] = [
        ["dang", "ky"], ["dang", "ki"], ["dangky"], ["dangki"], ["dk"], ["dky"], ["dki"], ["theo", "doi"],
        ["theodoi"], ["follow"], ["quan", "tam"], ["sub"], ["subscribe"],
    ]

    /// Objects that make a cancellation about business, not marketing: orders (đơn, dh), goods, delivery, bookings,
    /// appointments, tickets, rooms, deposits, payments, contracts, plans (gói cước), accounts (tk), courses.
    static let businessObjects: [[String]] = [
        ["don"], ["dh"], ["hang"], ["giao"], ["ship"], ["van", "chuyen"], ["lich"], ["cuoc", "hen"], ["ve"],
        ["phong"], ["dat"], ["booking"], ["order"], ["coc"], ["thanh", "toan"], ["giao", "dich"], ["hop", "dong"],
        ["goi", "cuoc"], ["tai", "khoan"], ["tk"], ["khoa", "hoc"], ["lop"], ["chuyen"], ["san", "pham"], ["sp"],
        ["mon"], ["yeu", "cau"], ["lenh"], ["bao", "hanh"], ["hoa", "don"], ["tin", "dang"], ["tin", "rao"],
    ]

    /// Words skipped between a verb and its object: pronouns and forms of address (em, e, mình, tui, t, m, bn),
    /// the account addressed (shop, sốp, ad, admin, OA, Zalo), particles and politeness (nữa, nx, nha, nhé, ạ, đi,
    /// giùm, dùm, hộ, với, vs, ơi, mà, rồi, vẫn, cảm ơn, thanks, tks) and determiners (các, những, mấy, cái, gì, j).
    static let fillers: Set<String> = [
        "toi", "tui", "minh", "em", "e", "anh", "a", "chi", "c", "ban", "bn", "t", "tao", "m",
        "shop", "sop", "ad", "admin", "oa", "zalo", "page", "fanpage", "kenh", "ben",
        "cho", "nua", "nx", "them", "tiep", "lai", "nhe", "nha", "nhen", "nghe", "ne", "di", "ha", "hen", "voi", "vs",
        "giup", "gium", "dum", "ho", "luon", "xin", "vui", "long", "please", "pls", "plz", "oi", "ak", "ah", "dau",
        "ok", "oke", "okay", "thanks", "thank", "tks", "thx", "cam", "on", "camon", "roi", "ma", "van",
        "cac", "nhung", "may", "moi", "cai", "bat", "ky", "ki", "nao", "gi", "j", "loai", "kieu", "nay", "day", "do",
        "den",
    ]

    /// Verbs skipped after a keyword before its object: "hủy *nhận* tin", "stop *gửi* tin".
    static let linkVerbs: Set<String> = ["nhan", "gui"]

    /// Words that may stand between a stop verb and what is sent: "đừng *có* gửi", "đừng *bao giờ* gửi", "khỏi
    /// *cần* gửi", "ngừng *việc* gửi".
    static let bridges: Set<String> = ["co", "bao", "gio", "nen", "tiep", "tuc", "viec", "ma", "can"]

    /// "anymore" — nữa, its misspelling nửa, nx, nũa: what makes "ko nhận tin nữa" a refusal.
    static let anymore: Set<String> = ["nua", "nx"]

    /// "received" after `không nhận`: "không nhận được tin" is a complaint (đc, dc; đk is used for được too).
    static let received: Set<String> = ["duoc", "dc", "dk"]

    /// Words of wanting after a negation: muốn (mún), thích, cần, đồng ý.
    static let wants: [[String]] = [["muon"], ["mun"], ["thich"], ["can"], ["dong", "y"]]

    /// Who may be named as the sender after "không muốn": "không muốn *shop* gửi tin nữa".
    static let senders: Set<String> = ["shop", "sop", "ad", "admin", "ben", "ban", "bn", "oa", "cac", "cty", "page"]

    /// Refusals on their own, in English.
    static let standaloneRefusals: [[String]] = [["unsubscribe"], ["unsub"], ["unfollow"], ["optout"], ["opt", "out"]]

    /// "from the list": "xóa tôi khỏi danh sách nhận tin".
    static let offTheList: [String] = ["khoi", "danh", "sach"]

    /// Given names that fold to a refusal word: Huy (hủy), Dung/Dũng (đừng, dừng).
    static let names: Set<String> = ["huy", "dung"]

    /// Forms of address that come before a given name (folded).
    static let formsOfAddress: Set<String> = [
        "anh", "a", "chi", "c", "em", "e", "ban", "chu", "co", "bac", "ong", "ba", "thay", "cau", "di", "mr", "ms",
    ]

    // MARK: Words compared as written (NFC, lower case)

    /// Negations that, up to two words before a keyword or phrase in the same clause, turn it around — compared as
    /// written, because folded "dung" is also "đúng" (yes) and "chua" also "chua" (sour): only unambiguous
    /// spellings count. Includes the chat forms of không.
    static let negations: Set<String> = [
        "không", "khong", "hông", "hổng", "hong", "ko", "kô", "k", "kg", "kh", "khg", "hok", "hk", "khum", "hem",
        "đừng", "đừg", "chưa", "chẳng", "chả", "éo", "đéo", "đếch", "not", "dont", "never",
    ]

    /// The negations that start a "don't want to receive" phrase (not chưa: "chưa nhận" is "not yet received").
    static let negationHeads: Set<String> = [
        "không", "khong", "hông", "hổng", "hong", "ko", "kô", "k", "kg", "kh", "khg", "hok", "hk", "khum", "hem",
        "chẳng", "chả", "éo", "đéo", "đếch",
    ]

    /// Words that make a text a question about how or why, or a condition.
    static let questionWords: Set<String> = ["sao", "nếu", "neu", "lỡ", "cách", "cach", "ntn", "how", "why", "if"]

    /// The same, as folded phrases: thế nào, bao giờ, khi nào, hướng dẫn, ở đâu.
    static let questionPhrases: [[String]] = [
        ["the", "nao"], ["bao", "gio"], ["khi", "nao"], ["huong", "dan"], ["o", "dau"],
    ]

    /// Words that show annoyance without saying what to stop (spam, chặn, block): only `.possible`.
    static let annoyance: Set<String> = ["spam", "chặn", "block"]
}

/// A word of the text: as written (NFC, case kept), lower-cased and folded, and whether a clause ends after it.
private struct Word {
    var written: String
    var lower: String
    var folded: String
    var endsClause = false
}

/// What follows a refusal verb, once pronouns and particles are skipped.
private enum Object {
    case advertising
    case messages
    /// đăng ký / theo dõi / quan tâm, followed by nothing, messages or advertising.
    case subscription
    /// đăng ký / theo dõi of something else ("hủy đăng ký khóa học").
    case otherSubscription
    case business
    case other
    /// The end of the text or of the clause.
    case nothing
}

/// A sending or contacting verb after a stop verb.
private struct SendingVerb {
    var length: Int
    /// Whether "stop <verb>" refuses on its own ("đừng nhắn nữa"); "đừng nhận" needs an object.
    var standalone: Bool
    /// A call (gọi), not a message: at most `.possible`.
    var weak = false
}

/// One text cut into words, read against the lists of `RefusalText`.
private struct Reading {
    typealias Verdict = RefusalText.Verdict
    typealias Lexicon = RefusalText

    let words: [Word]
    let folded: [String]
    /// Typed without any diacritic (nor đ): then a bare "dung" may be "đừng".
    let unaccented: Bool

    init(_ text: String) {
        words = Reading.split(text)
        folded = words.map(\.folded)
        unaccented = words.allSatisfy { $0.folded == $0.lower }
    }

    var verdict: Verdict {
        guard !words.isEmpty else { return .none }
        if isWholeTextKeyword && !isMisread(0) { return .refusal }
        var found = Verdict.none
        var pairs = false
        for index in words.indices {
            if let (verdict, pairing) = keyword(at: index) {
                found = Reading.stronger(found, verdict)
                pairs = pairs || pairing
            }
            if var verdict = phrase(at: index) {
                if verdict == .refusal && isNegated(index) { verdict = .possible }
                found = Reading.stronger(found, verdict)
            }
        }
        if pairs && hasAdvertisingWord { found = .refusal }
        return found == .refusal && isQuestion ? .possible : found
    }

    private static func stronger(_ lhs: Verdict, _ rhs: Verdict) -> Verdict {
        func rank(_ verdict: Verdict) -> Int {
            switch verdict {
            case .none: 0
            case .possible: 1
            case .refusal: 2
            }
        }
        return rank(rhs) > rank(lhs) ? rhs : lhs
    }

    // MARK: The contract

    /// The whole text is a keyword, optionally followed by QC or KM.
    private var isWholeTextKeyword: Bool {
        Lexicon.keywords.contains { keyword in
            if folded == keyword { return true }
            guard folded.count == keyword.count + 1, let last = folded.last else { return false }
            return Array(folded.dropLast()) == keyword && Lexicon.keywordSuffixes.contains(last)
        }
    }

    /// A contract advertising word anywhere; `km` right after a number is a distance.
    private var hasAdvertisingWord: Bool {
        words.indices.contains { index in
            guard Self.length(of: Lexicon.advertisingWords, in: folded, at: index) != nil else { return false }
            let afterNumber = index > 0 && folded[index - 1].utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            return !(folded[index] == "km" && afterNumber)
        }
    }

    /// A keyword at `index`: its verdict, and whether it may pair with an advertising word elsewhere.
    private func keyword(at index: Int) -> (Verdict, Bool)? {
        guard let length = Self.length(of: Lexicon.keywords, in: folded, at: index) else { return nil }
        if isName(index) || isNegated(index) || isMisread(index) { return (.possible, false) }
        // "Huy" capitalised and bare among words that carry diacritics is the name, not a hastily typed "Hủy".
        if folded[index] == "huy" && words[index].written == "Huy" && !unaccented { return (.possible, false) }
        switch object(from: index + length, linking: true, subscribing: true, sent: false) {
        case .advertising, .messages, .subscription: return (.refusal, false)
        case .business, .otherSubscription: return (.possible, false)
        case .other, .nothing: return (.possible, true)
        }
    }

    // MARK: Refusal phrases

    /// A refusal phrase starting at `index`, other than a keyword's own.
    private func phrase(at index: Int) -> Verdict? {
        if Self.length(of: Lexicon.standaloneRefusals, in: folded, at: index) != nil { return .refusal }
        var found: Verdict?
        for candidate in [unsubscribing(at: index), stopping(at: index), notWanting(at: index), offList(at: index)] {
            if let candidate { found = Reading.stronger(found ?? .none, candidate) }
        }
        if found == nil && Lexicon.annoyance.contains(words[index].lower) { found = .possible }
        return found
    }

    /// bỏ + đăng ký / theo dõi / quan tâm.
    private func unsubscribing(at index: Int) -> Verdict? {
        guard folded[index] == "bo", ["bỏ", "bo"].contains(words[index].lower), opens(index + 1),
            Self.length(of: Lexicon.subscriptions, in: folded, at: index + 1) != nil
        else { return nil }
        let what = object(from: index + 1, linking: false, subscribing: true, sent: false)
        return what == .subscription ? .refusal : .possible
    }

    /// đừng / dừng / ngừng / ngưng / thôi / bớt / khỏi, then a sending verb and what is sent.
    private func stopping(at index: Int) -> Verdict? {
        guard let head = stopVerb(at: index) else { return nil }
        var next = index + 1
        var bridged = 0
        while bridged < 3, opens(next), Lexicon.bridges.contains(folded[next]) {
            next += 1
            bridged += 1
        }
        if opens(next), let verb = sendingVerb(at: next) {
            let strong = head.strong && !verb.weak
            switch object(from: next + verb.length, linking: false, subscribing: false) {
            case .advertising, .messages: return strong ? .refusal : .possible
            case .nothing: return strong && verb.standalone ? .refusal : .possible
            default: return .possible
            }
        }
        // No verb: "ngừng quảng cáo", "bớt spam đi", "ngừng theo dõi"; "Dừng!" alone is only possibly one; "đừng lo"
        // is nothing, nor is "đừng tin quảng cáo" (don't believe the ads).
        guard Self.length(of: Lexicon.messageObjects, in: folded, at: index + 1) == nil else { return nil }
        switch object(from: index + 1, linking: false, subscribing: true, sent: false) {
        case .advertising: return head.strong ? .refusal : .possible
        case .subscription: return head.strong && head.ceasing ? .refusal : .possible
        case .otherSubscription: return .possible
        case .nothing: return head.ceasing ? .possible : nil
        default: return nil
        }
    }

    /// A negation, optionally a wish (muốn, cần), then receiving (or sending, with cần or a named sender).
    private func notWanting(at index: Int) -> Verdict? {
        guard Lexicon.negationHeads.contains(words[index].lower) else { return nil }
        var next = index + 1
        var wants = false
        var needs = false
        var sender = false
        if opens(next), let length = Self.length(of: Lexicon.wants, in: folded, at: next) {
            wants = true
            needs = folded[next] == "can"
            next += length
        }
        while opens(next), Lexicon.senders.contains(folded[next]) {
            sender = true
            next += 1
        }
        if opens(next), folded[next] == "bi" { next += 1 }  // bị: "không muốn bị làm phiền"
        guard opens(next) else { return nil }

        if folded[next] == "nhan" {
            if !wants, next + 1 < words.count, Lexicon.received.contains(folded[next + 1]) { return nil }
            let what = object(from: next + 1, linking: false, subscribing: false)
            if wants {
                return what == .advertising || what == .messages ? .refusal : .possible
            }
            let again = saysAnymore(after: next)
            switch what {
            case .advertising: return .refusal
            case .messages: return again ? .refusal : .possible
            case .nothing: return again ? .possible : nil
            default: return nil
            }
        }
        guard wants, let verb = sendingVerb(at: next) else { return nil }
        let what = object(from: next + verb.length, linking: false, subscribing: false)
        if folded[next] == "spam" || folded[next] == "lam" {
            // "không muốn bị làm phiền (nữa)", "không muốn bị spam": refusals on their own.
            return [.nothing, .advertising, .messages].contains(what) ? .refusal : .possible
        }
        // "không muốn gửi" is the person's own sending; "không cần gửi", "không muốn shop gửi" is the account's.
        guard needs || sender else { return nil }
        return (what == .advertising || what == .messages) && !verb.weak ? .refusal : .possible
    }

    /// "khỏi danh sách" (off the list), with messages or advertising after it.
    private func offList(at index: Int) -> Verdict? {
        guard index + 3 <= words.count, Array(folded[index..<index + 3]) == Lexicon.offTheList else { return nil }
        switch object(from: index + 3, linking: true, subscribing: false, sent: false) {
        case .advertising, .messages: return .refusal
        default: return .possible
        }
    }

    /// The stop verbs, with whether they count fully and whether they mean "stop" on their own (dừng, ngừng).
    private func stopVerb(at index: Int) -> (strong: Bool, ceasing: Bool)? {
        let lower = words[index].lower
        switch folded[index] {
        case "dung", "dug":
            if isName(index) { return nil }
            switch lower {
            case "đừng", "đừg": return (true, false)
            case "dừng", "dừg": return (true, true)
            case "dung": return (unaccented, false)
            default: return nil  // đúng, dùng, đứng, Dũng
            }
        case "ngung": return ["ngừng", "ngưng", "ngung"].contains(lower) ? (true, true) : nil
        case "thoi", "thui", "thoy": return ["thôi", "thoi", "thui", "thoy"].contains(lower) ? (true, false) : nil
        case "bot": return lower == "bớt" ? (true, false) : lower == "bot" ? (false, false) : nil
        case "khoi": return ["khỏi", "khoi"].contains(lower) ? (true, false) : nil
        default: return nil
        }
    }

    /// gửi (gởi), nhắn, nhận, nt, ib, inbox, spam, làm phiền, liên hệ / liên lạc; gọi (call) only weakly.
    private func sendingVerb(at index: Int) -> SendingVerb? {
        let lower = words[index].lower
        let next = index + 1 < words.count ? folded[index + 1] : ""
        switch folded[index] {
        case "gui", "nt", "ib", "inbox", "spam": return SendingVerb(length: 1, standalone: true)
        case "goi":
            if lower == "gởi" || lower == "goi" { return SendingVerb(length: 1, standalone: true) }
            return lower == "gọi" ? SendingVerb(length: 1, standalone: false, weak: true) : nil
        case "nhan": return SendingVerb(length: 1, standalone: lower != "nhận")
        case "lam" where next == "phien": return SendingVerb(length: 2, standalone: true)
        case "lien" where next == "he" || next == "lac": return SendingVerb(length: 2, standalone: true)
        default: return nil
        }
    }

    // MARK: Objects and guards

    /// What follows `start`, skipping fillers (and, with `linking`, "nhận"/"gửi"), up to the end of the clause.
    /// `sent`: a sending or receiving verb comes before `start`, so that "thông tin" is something sent.
    private func object(from start: Int, linking: Bool, subscribing: Bool, sent: Bool = true) -> Object {
        var index = start
        var sent = sent
        while index < words.count {
            if index > 0 && words[index - 1].endsClause { return .nothing }
            if Self.length(of: Lexicon.information, in: folded, at: index) != nil { return sent ? .messages : .other }
            if Self.length(of: Lexicon.notMessages, in: folded, at: index) != nil {
                return isBusiness(index) ? .business : .other
            }
            if Self.length(of: Lexicon.advertisingObjects, in: folded, at: index) != nil { return .advertising }
            if let length = Self.length(of: Lexicon.messageObjects, in: folded, at: index) {
                // "tin khuyến mãi", "tin nhắn quảng cáo": messages that are advertising.
                let after = index + length
                if opens(after), Self.length(of: Lexicon.advertisingObjects, in: folded, at: after) != nil {
                    return .advertising
                }
                return .messages
            }
            if subscribing, let length = Self.length(of: Lexicon.subscriptions, in: folded, at: index) {
                switch object(from: index + length, linking: true, subscribing: false, sent: false) {
                case .nothing, .advertising, .messages: return .subscription
                default: return .otherSubscription
                }
            }
            if linking && Lexicon.linkVerbs.contains(folded[index]) {
                sent = true
                index += 1
                continue
            }
            if Lexicon.fillers.contains(folded[index]) {
                index += 1
                continue
            }
            return isBusiness(index) ? .business : .other
        }
        return .nothing
    }

    private func isBusiness(_ index: Int) -> Bool {
        Self.length(of: Lexicon.businessObjects, in: folded, at: index) != nil || words[index].lower == "gói"
    }

    /// Whether `index` is a word of the same clause as the one before it.
    private func opens(_ index: Int) -> Bool {
        index < words.count && index > 0 && !words[index - 1].endsClause
    }

    /// "nữa" later in the clause.
    private func saysAnymore(after index: Int) -> Bool {
        var next = index + 1
        while opens(next) {
            if Lexicon.anymore.contains(folded[next]) { return true }
            next += 1
        }
        return false
    }

    /// "Huy ơi" (vocative), or "Huy"/"Dung" capitalised and unaccented after a form of address ("anh Huy"): a name.
    private func isName(_ index: Int) -> Bool {
        let word = folded[index]
        guard Lexicon.names.contains(word) else { return false }
        if index + 1 < words.count, folded[index + 1] == "oi" { return true }
        let capitalised = word.prefix(1).uppercased() + word.dropFirst()
        return words[index].written == capitalised && index > 0 && Lexicon.formsOfAddress.contains(folded[index - 1])
    }

    /// "tự chơi" (play on one's own) at `index`: it folds like "từ chối", but its diacritics say otherwise. Bare or
    /// partly accented spellings ("tu choi", "tu chối") are still read as the keyword.
    private func isMisread(_ index: Int) -> Bool {
        guard index + 1 < words.count, folded[index] == "tu", folded[index + 1] == "choi" else { return false }
        return !["tu", "từ"].contains(words[index].lower) || !["choi", "chối"].contains(words[index + 1].lower)
    }

    /// A negation among the two words before `index`, in the same clause.
    private func isNegated(_ index: Int) -> Bool {
        var before = index
        while before > 0 && index - before < 2 {
            before -= 1
            if words[before].endsClause { return false }
            if Lexicon.negations.contains(words[before].lower) { return true }
        }
        return false
    }

    private var isQuestion: Bool {
        if let last = words.last, last.folded == "chua" { return true }  // "... chưa?" is "yet?"
        return words.indices.contains { index in
            Lexicon.questionWords.contains(words[index].lower)
                || Self.length(of: Lexicon.questionPhrases, in: folded, at: index) != nil
        }
    }

    /// The length of the longest phrase of `phrases` that starts at `index`, as whole words.
    private static func length(of phrases: [[String]], in words: [String], at index: Int) -> Int? {
        var longest: Int?
        for phrase in phrases where index + phrase.count <= words.count && phrase.count > (longest ?? 0) {
            if words[index..<index + phrase.count].elementsEqual(phrase) { longest = phrase.count }
        }
        return longest
    }

    // MARK: Words

    /// Clause ends: these, or a line break, after a word.
    private static let clauseEnds: Set<Unicode.Scalar> = [".", ",", ";", ":", "!", "?", "\u{2026}", "\n", "\r"]

    /// Cuts the decomposed text into words of letters, combining marks and digits.
    private static func split(_ text: String) -> [Word] {
        var words: [Word] = []
        var current = String.UnicodeScalarView()
        func flush() {
            guard !current.isEmpty else { return }
            let written = String(current).precomposedStringWithCanonicalMapping
            let folded = ColumnName.fold(written)
            if !folded.isEmpty { words.append(Word(written: written, lower: written.lowercased(), folded: folded)) }
            current = String.UnicodeScalarView()
        }
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber:
                current.append(scalar)
            default:
                flush()
                if clauseEnds.contains(scalar), !words.isEmpty { words[words.count - 1].endsClause = true }
            }
        }
        flush()
        return words
    }
}
