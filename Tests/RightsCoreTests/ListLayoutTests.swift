import Foundation
import RightsCore
import Testing

@Suite("Contact-list layouts")
struct ListLayoutTests {
    // MARK: - Headers

    @Test(
        arguments: [
            // The Vietnamese headers real exports carry, folded without case, diacritics (Đ included) and spaces.
            ("Số điện thoại", ListField.phone),
            ("SĐT", .phone),
            ("sđt", .phone),
            ("Điện thoại", .phone),
            ("Di động", .phone),
            ("Họ và tên", .name),
            ("Họ tên", .name),
            ("Thư điện tử", .email),
            ("Ngày đồng ý", .consentAt),
            ("Kênh", .channel),
            // The same words typed without diacritics, or in decomposed form (NFD, as macOS file names come).
            ("so dien thoai", .phone),
            ("So\u{0302}\u{0301} \u{0111}ie\u{0323}\u{0302}n thoa\u{0323}i", .phone),
            // English names in any case, with spaces, underscores or dashes.
            ("phone", .phone),
            ("PHONE", .phone),
            ("Phone Number", .phone),
            ("phone_number", .phone),
            ("E-mail", .email),
            ("Email", .email),
            ("zalo_id", .zaloID),
            ("Zalo ID", .zaloID),
            ("ZALOID", .zaloID),
            ("name", .name),
            ("Full Name", .name),
            ("consent_at", .consentAt),
            ("Consent At", .consentAt),
            ("CONSENT_METHOD", .consentMethod),
            ("consent text", .consentText),
            ("consent_evidence", .consentEvidence),
            ("Channel", .channel),
            // A stray BOM or no-break space around a header does not hide it.
            ("\u{FEFF}phone", .phone),
            ("\u{00A0}Email\u{00A0}", .email),
        ])
    func headersMapToFields(header: String, field: ListField) {
        #expect(ListField(header: header) == field)
    }

    @Test(arguments: ["Địa chỉ", "Ghi chú", "Mã khách hàng", "address", "phones2", ""])
    func otherHeadersAreAttributes(header: String) {
        #expect(ListField(header: header) == nil)
    }

    @Test func foldingDropsCaseDiacriticsAndSeparators() {
        // "Đ" does not decompose under NFD; it folds to "d" by hand.
        #expect(ColumnName.fold("Số Điện_Thoại") == "sodienthoai")
        #expect(ColumnName.fold("Ngày-đồng.ý") == "ngaydongy")
    }

    @Test(
        arguments: [
            // The contract's field names, and any header spelling of a field.
            ("zalo_id", ListField.zaloID),
            ("consent_at", .consentAt),
            ("phone", .phone),
            ("SĐT", .phone),
            ("Consent Method", .consentMethod),
        ])
    func mapTargetsReadFieldNamesAndHeaderSpellings(target: String, field: ListField) {
        #expect(ListField(mapTarget: target) == field)
    }

    @Test func anUnknownMapTargetIsRefused() {
        #expect(ListField(mapTarget: "birthday") == nil)
    }

    // MARK: - Layouts

    @Test func aLayoutFindsTheColumnOfEachField() throws {
        let layout = try ListLayout(headers: [
            "Mã KH", "Số điện thoại", "Họ và tên", "Thư điện tử", "Ngày đồng ý", "Kênh",
        ])
        #expect(layout.columns == [.phone: 1, .name: 2, .email: 3, .consentAt: 4, .channel: 5])
        #expect(layout.headers == ["Mã KH", "Số điện thoại", "Họ và tên", "Thư điện tử", "Ngày đồng ý", "Kênh"])
    }

    @Test func aMapNamesAColumnNoAliasKnows() throws {
        // The map's header is folded like the file's: "LIEN LAC" names "Liên lạc".
        let layout = try ListLayout(headers: ["Liên lạc", "Tên"], map: ["LIEN LAC": .phone])
        #expect(layout.columns[.phone] == 0)
    }

    @Test func aMapOverridesTheAliasOfAHeader() throws {
        // "Điện thoại" would read as phone; mapped, it is the consent channel, and "Di động" is the phone.
        let layout = try ListLayout(headers: ["Điện thoại", "Di động"], map: ["Điện thoại": .channel])
        #expect(layout.columns == [.channel: 0, .phone: 1])
    }

    @Test func aMapThatNamesAMissingHeaderIsRefused() {
        let error = #expect(throws: ListLayoutError.self) {
            try ListLayout(headers: ["phone", "name"], map: ["Mobile No": .phone])
        }
        #expect(error == .unknownMappedHeader("Mobile No", headers: ["phone", "name"]))
    }

    @Test func aHeaderWithoutAnIdentifierColumnIsRefused() {
        let error = #expect(throws: ListLayoutError.self) {
            try ListLayout(headers: ["Họ và tên", "Ghi chú", "consent_at"])
        }
        #expect(error == .noIdentifierColumn(headers: ["Họ và tên", "Ghi chú", "consent_at"]))
        #expect(error?.description.contains("no identifier column") == true)
    }

    @Test(
        arguments: [
            // "phone" and "SĐT" both read as phone.
            (["phone", "SĐT"], "phone", "phone", "SĐT"),
            // "Email" and "Thư điện tử" both read as email.
            (["Email", "Họ tên", "Thư điện tử"], "email", "Email", "Thư điện tử"),
            // "Họ và tên" and "name" both read as name; the list still has an identifier.
            (["Họ và tên", "phone", "name"], "name", "Họ và tên", "name"),
        ])
    func twoColumnsForOneFieldAreRefused(headers: [String], field: String, first: String, second: String) {
        let error = #expect(throws: ListLayoutError.self) { try ListLayout(headers: headers) }
        #expect(error == .repeatedField(field, first: first, second: second))
    }

    @Test func aMapCanResolveTwoColumnsForOneField() throws {
        // Both "Số điện thoại" and "Điện thoại" are phone headers; mapping the second to zalo_id resolves it.
        let layout = try ListLayout(headers: ["Số điện thoại", "Điện thoại"], map: ["Điện thoại": .zaloID])
        #expect(layout.columns == [.phone: 0, .zaloID: 1])
    }

    // MARK: - Rows

    private struct Interpreted {
        var results: [ListRowResult]

        func row(_ index: Int) -> ListRow? {
            if case .valid(let row) = results[index] { return row }
            return nil
        }

        func reason(_ index: Int) -> String? {
            if case .invalid(let reason) = results[index] { return reason }
            return nil
        }
    }

    /// Reads `csv` with `CSVReader`, builds the layout from its header and interprets every other record.
    private func interpret(
        _ csv: String, map: [String: ListField] = [:], consentChannel: Channel? = nil, zaloOA: String? = nil
    ) throws -> Interpreted {
        let reader = CSVReader(bytes: Array(csv.utf8))
        var record = CSVRecord()
        guard try reader.next(into: &record) else { return Interpreted(results: []) }
        let layout = try ListLayout(headers: record.fields, map: map)
        var results: [ListRowResult] = []
        while try reader.next(into: &record) {
            results.append(layout.interpret(record, consentChannel: consentChannel, zaloOA: zaloOA))
        }
        return Interpreted(results: results)
    }

    @Test func thePhoneIsThePrimaryIdentifierElseTheEmailElseTheZaloId() throws {
        let rows = try interpret(
            """
            phone,email,zalo_id
            0912 345 678,Lan@Example.vn,777
            ,lan@example.vn,777
            ,,777
            """, zaloOA: "shop")
        // Row 1: all three; the phone names it and the others are kept for matching.
        #expect(rows.row(0)?.primary.kind == .phone)
        #expect(rows.row(0)?.primary.normalized == "+84912345678")
        #expect(rows.row(0)?.others == [.email("lan@example.vn"), .zalo(oa: "shop", user: "777")])
        // Row 2: no phone, so the email.
        #expect(rows.row(1)?.primary == .email("lan@example.vn"))
        #expect(rows.row(1)?.others == [.zalo(oa: "shop", user: "777")])
        // Row 3: only the Zalo id, qualified by --zalo-oa.
        #expect(rows.row(2)?.primary == .zalo(oa: "shop", user: "777"))
        #expect(rows.row(2)?.others == [])
    }

    @Test func aBlankOrWhiteSpaceIdentifierIsSkippedForTheNextKind() throws {
        let rows = try interpret(
            """
            Số điện thoại,Thư điện tử
               ,huong@example.vn
            "",huong@example.vn
            """)
        #expect(rows.row(0)?.primary == .email("huong@example.vn"))
        #expect(rows.row(1)?.primary == .email("huong@example.vn"))
    }

    @Test func anInvalidPrimaryIdentifierMakesTheRowInvalidWithItsReason() throws {
        let rows = try interpret(
            """
            phone,email
            12345,lan@example.vn
            ,lan@
            """)
        // The phone would name row 1, so its error decides even though the email is fine.
        let phoneError = #expect(throws: IdentifierError.self) { try Identifier(phone: "12345") }
        #expect(rows.reason(0) == phoneError.map { "phone: \($0)" })
        // Row 2 has no phone; its email is the primary and it is malformed.
        #expect(rows.reason(1)?.hasPrefix("email: invalid email") == true)
    }

    @Test func anInvalidSecondaryIdentifierIsLeftOut() throws {
        let rows = try interpret(
            """
            phone,email,zalo_id
            0912345678,lan@,999
            """)
        // The email is malformed and the bare Zalo id has no Official Account: both are dropped, the row stays.
        let row = try #require(rows.row(0))
        #expect(row.primary.normalized == "+84912345678")
        #expect(row.others == [])
    }

    @Test func aRowWithNoIdentifierIsInvalid() throws {
        let rows = try interpret(
            """
            phone,email,name
            ,,Trần Văn Nam
            """)
        #expect(rows.reason(0) == "no phone, email or Zalo id in this row")
    }

    @Test func aBareZaloIdWithoutAnOfficialAccountIsAnInvalidPrimary() throws {
        let rows = try interpret(
            """
            zalo_id,name
            777,Lan
            zalo:oa9:777,Lan
            """)
        #expect(rows.reason(0)?.hasPrefix("zalo_id: invalid Zalo id") == true)
        // A full id carries its own account.
        #expect(rows.row(1)?.primary == .zalo(oa: "oa9", user: "777"))
    }

    @Test func aMappedColumnIdentifies() throws {
        let rows = try interpret(
            """
            Liên lạc,Tên
            0903000111,Lan
            """, map: ["Liên lạc": .phone])
        #expect(rows.row(0)?.primary.normalized == "+84903000111")
    }

    // MARK: - Consent

    @Test func consentChannelsComeFromTheChannelColumn() throws {
        let rows = try interpret(
            """
            phone,consent_at,channel,consent_method,consent_text,consent_evidence
            0912345678,12/08/2025 09:15,sms;zalo,web form,Tôi đồng ý nhận tin,form-17
            0912345679,2025-08-12,"SMS, Zalo; sms",,,
            0912345670,2025-08-12,Tin nhắn;Thư điện tử,,,
            """, consentChannel: .email)
        // 12/08/2025 09:15 Vietnam time is 2025-08-12T02:15:00Z = 1754964900.
        let first = try #require(rows.row(0)?.consent)
        #expect(first.at == Date(timeIntervalSince1970: 1_754_964_900))
        #expect(first.channels == [.sms, .zalo])
        #expect(first.method == "web form")
        #expect(first.text == "Tôi đồng ý nhận tin")
        #expect(first.evidence == "form-17")
        // Any case, "," or ";", repeats once; the column wins over --consent-channel.
        let second = try #require(rows.row(1)?.consent)
        #expect(second.channels == [.sms, .zalo])
        #expect(second.method == nil)
        #expect(second.text == nil)
        // The Vietnamese channel words.
        #expect(rows.row(2)?.consent?.channels == [.sms, .email])
    }

    @Test func withoutAChannelTheDefaultConsentChannelIsUsed() throws {
        let csv = """
            SĐT,Ngày đồng ý,Kênh
            0912345678,2025-08-12,
            """
        // The channel column is empty on this row, so --consent-channel decides.
        #expect(try interpret(csv, consentChannel: .zalo).row(0)?.consent?.channels == [.zalo])
        // With neither, the consent time is kept but names no channel: nothing is consented.
        let consent = try #require(try interpret(csv).row(0)?.consent)
        #expect(consent.channels == [])
    }

    @Test func withoutAChannelColumnTheDefaultConsentChannelIsUsed() throws {
        let csv = """
            phone,consent_at
            0912345678,2025-08-12T09:15:00+07:00
            """
        #expect(try interpret(csv, consentChannel: .sms).row(0)?.consent?.channels == [.sms])
        #expect(try interpret(csv).row(0)?.consent?.channels == [])
    }

    @Test func aRowWithoutAConsentTimeRecordsNoConsent() throws {
        let rows = try interpret(
            """
            phone,consent_at,channel
            0912345678,,sms
            """, consentChannel: .sms)
        #expect(rows.row(0) != nil)
        #expect(rows.row(0)?.consent == nil)
    }

    @Test(arguments: ["31/02/2026", "2025-08-12T09:15:00", "hôm qua", "2025-13-01"])
    func aConsentTimeThatIsNotATimeMakesTheRowInvalid(text: String) throws {
        let rows = try interpret("phone,consent_at\n0912345678,\(text)\n")
        #expect(rows.reason(0)?.hasPrefix("consent_at: \"\(text)\" is not a time") == true)
    }

    @Test func anUnknownChannelMakesTheRowInvalid() throws {
        let rows = try interpret(
            """
            phone,consent_at,channel
            0912345678,2025-08-12,sms;fax
            """)
        #expect(rows.reason(0) == "channel: \"fax\" is not one of sms, zalo, email, call")
    }

    // MARK: - Identifier per channel

    @Test func eachChannelReachesItsOwnKindOfIdentifier() throws {
        let rows = try interpret(
            """
            phone,email,zalo_id
            0912345678,lan@example.vn,777
            0912345678,,
            ,lan@example.vn,
            """, zaloOA: "shop")
        let all = try #require(rows.row(0))
        // SMS and calls go to the phone, email to the email, Zalo to the Zalo id.
        #expect(all.identifier(for: .sms).normalized == "+84912345678")
        #expect(all.identifier(for: .call).normalized == "+84912345678")
        #expect(all.identifier(for: .email).normalized == "lan@example.vn")
        #expect(all.identifier(for: .zalo).normalized == "zalo:shop:777")
        // Without a Zalo id, ZNS reaches the phone; without an email, the row's own identifier stands in.
        let phoneOnly = try #require(rows.row(1))
        #expect(phoneOnly.identifier(for: .zalo).normalized == "+84912345678")
        #expect(phoneOnly.identifier(for: .email).normalized == "+84912345678")
        // An email-only row answers with its email for every channel.
        let emailOnly = try #require(rows.row(2))
        #expect(emailOnly.identifier(for: .sms).normalized == "lan@example.vn")
        #expect(emailOnly.identifiers == [.email("lan@example.vn")])
    }

    // MARK: - Channels and purposes

    @Test(
        arguments: [
            ("sms", Channel.sms), ("SMS", .sms), ("Tin nhắn", .sms), ("zalo", .zalo), ("ZNS", .zalo),
            ("Zalo OA", .zalo), ("email", .email), ("E-mail", .email), ("Thư điện tử", .email),
            ("call", .call), ("Gọi điện", .call), ("phone", .call),
        ])
    func channelWordsAreRead(text: String, channel: Channel) {
        #expect(Channel(text: text) == channel)
    }

    @Test func unknownChannelWordsAreRefused() {
        #expect(Channel(text: "fax") == nil)
        #expect(Channel(text: "") == nil)
    }

    @Test func onlyPurchasedListsAreFlagged() {
        #expect(LegalBasis.allCases.filter(\.isFlagged) == [.purchased])
    }
}
