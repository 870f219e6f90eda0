# ruff: noqa: E501, RUF001  (bilingual demo texts: unbroken lines, Japanese punctuation)
"""Demo data of partners: a believable group and its partners (LY-2..LY-5, LW-4).

A payment company in the group that shares the phone number (LY-4, joint use), an entrusted
inquiry-handling company (LY-3), a group company in Korea that runs the disaster-recovery
centre (LW-4.2, overseas), a research institution and two partners (LY-5), and the two
connected applications of the consents demo (LY-7). Safe to run again.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from consents.models import Purpose, Service
from partners.models import (
    Arrangement,
    ArrangementStatus,
    Basis,
    Country,
    DataItem,
    Partner,
    PartnerKind,
    ProvisionRecord,
)
from partners.services import gate, records, registry
from portal.models import User

COUNTRIES = [
    (
        "JP",
        "日本",
        "Japan",
        "個人情報の保護に関する法律（個人情報保護法）により、個人情報保護委員会が監督しています。",
        "The Act on the Protection of Personal Information, supervised by the Personal Information Protection Commission.",
        False,
        None,
    ),
    (
        "KR",
        "大韓民国",
        "Republic of Korea",
        "個人情報保護法（PIPA）があり、個人情報保護委員会（PIPC）が監督しています。本人の同意、目的外利用の制限、越境移転の規律、漏えい時の通知義務などが定められています。日本の個人情報保護委員会による同等性の認定はありません。",
        "The Personal Information Protection Act (PIPA), supervised by the Personal Information Protection Commission (PIPC). It requires consent, limits use beyond the purpose, regulates transfers abroad and requires notice of breaches. Japan's Commission has not recognised it as equivalent.",
        False,
        "overseas-provision",
    ),
    (
        "US",
        "アメリカ合衆国",
        "United States",
        "連邦レベルの包括的な個人情報保護法はなく、連邦取引委員会（FTC）が不公正・欺瞞的な取扱いを監督し、カリフォルニア州消費者プライバシー法（CCPA/CPRA）など州ごとの法律があります。日本の個人情報保護委員会による同等性の認定はありません。",
        "There is no comprehensive federal data-protection law: the Federal Trade Commission acts against unfair or deceptive practices, and states have their own laws, such as the California Consumer Privacy Act (CCPA/CPRA). Japan's Commission has not recognised it as equivalent.",
        False,
        None,
    ),
    (
        "IE",
        "アイルランド",
        "Ireland",
        "EU一般データ保護規則（GDPR）が適用され、データ保護委員会（DPC）が監督しています。日本の個人情報保護委員会はEU・EEAを日本と同等の水準にあると認めています。",
        "The EU General Data Protection Regulation (GDPR) applies, supervised by the Data Protection Commission. Japan's Commission recognises the EU and EEA as having an equivalent level of protection.",
        True,
        None,
    ),
]

# name_en -> fields
PARTNERS = {
    "Example Pay Co., Ltd.": {
        "kind": PartnerKind.GROUP_COMPANY,
        "name_ja": "エグザンプル・ペイ株式会社",
        "address_ja": "東京都千代田区紀尾井町1-3",
        "address_en": "1-3 Kioicho, Chiyoda-ku, Tokyo",
        "representative_ja": "代表取締役 高橋 一郎",
        "representative_en": "Ichiro Takahashi, Representative Director",
        "country": "JP",
        "listed": True,
    },
    "Example Works Korea Co., Ltd.": {
        "kind": PartnerKind.GROUP_COMPANY,
        "name_ja": "エグザンプル・ワークス・コリア株式会社",
        "address_ja": "大韓民国 京畿道 城南市 盆唐区 亭子一路95",
        "address_en": "95 Jeongjail-ro, Bundang-gu, Seongnam-si, Gyeonggi-do, Republic of Korea",
        "representative_ja": "代表理事 金 敏俊",
        "representative_en": "Minjun Kim, CEO",
        "country": "KR",
        "listed": True,
        "measures_ja": "当社と同等の安全管理措置（アクセス制御、暗号化、監査ログ）を契約で義務付け、年1回監査しています。",
        "measures_en": "Bound by contract to security measures equivalent to ours (access control, encryption, audit logs), audited once a year.",
        # The policy promises the disaster-recovery provision to Korea "only with your
        # consent", so the gate asks for the overseas consent (APPI Art. 28).
        "equivalent_measures": False,
    },
    "Example Support Co., Ltd.": {
        "kind": PartnerKind.ENTRUSTED_PROCESSOR,
        "name_ja": "エグザンプル・サポート株式会社",
        "address_ja": "福岡県福岡市博多区博多駅前2-1-1",
        "address_en": "2-1-1 Hakata-ekimae, Hakata-ku, Fukuoka",
        "country": "JP",
    },
    "Toto University Institute of Social Informatics": {
        "kind": PartnerKind.RESEARCH_INSTITUTION,
        "name_ja": "東都大学 社会情報研究所",
        "address_ja": "東京都文京区本郷7-3-1",
        "address_en": "7-3-1 Hongo, Bunkyo-ku, Tokyo",
        "country": "JP",
    },
    "Data Quality Lab Inc.": {
        "kind": PartnerKind.THIRD_PARTY,
        "name_ja": "データクオリティ・ラボ株式会社",
        "address_ja": "大阪府大阪市北区梅田3-1-3",
        "address_en": "3-1-3 Umeda, Kita-ku, Osaka",
        "country": "JP",
    },
    "SafeNet Analytics K.K.": {
        "kind": PartnerKind.THIRD_PARTY,
        "name_ja": "セーフネット・アナリティクス株式会社",
        "address_ja": "東京都港区六本木6-10-1",
        "address_en": "6-10-1 Roppongi, Minato-ku, Tokyo",
        "country": "JP",
    },
    "Calendar Sync": {
        "kind": PartnerKind.CONNECTED_APPLICATION,
        "name_ja": "カレンダー連携（株式会社スケジュールテック）",
        "address_ja": "東京都渋谷区神南1-2-3",
        "address_en": "1-2-3 Jinnan, Shibuya-ku, Tokyo",
        "country": "JP",
        "service": "calendar-sync",
    },
    "Expense App": {
        "kind": PartnerKind.CONNECTED_APPLICATION,
        "name_ja": "経費精算アプリ（株式会社ケイヒ）",
        "address_ja": "愛知県名古屋市中村区名駅4-7-1",
        "address_en": "4-7-1 Meieki, Nakamura-ku, Nagoya",
        "country": "JP",
        "service": "expense-app",
    },
}

EXPORT = [
    DataItem.ACCOUNT_PSEUDONYM,
    DataItem.PREFECTURE,
    DataItem.BIRTH_YEAR,
    DataItem.LANGUAGE,
    DataItem.USAGE,
]
START = datetime.date(2024, 4, 1)

# The arrangements the gate also asks the customer's consent for (LY-4: group shared use
# happens "only when customers' consent is obtained").
CONSENT_BOUND = {"Joint use of the phone number"}

# partner name_en, title (ja, en), basis, purposes, items, extra fields
ARRANGEMENTS = [
    (
        "Example Pay Co., Ltd.",
        ("電話番号の共同利用", "Joint use of the phone number"),
        Basis.JOINT_USE,
        ["group-phone-sharing"],
        [DataItem.PHONE],
        {
            "trigger_ja": "エグザンプル・ペイのアカウントを開設されたとき",
            "trigger_en": "When you open an Example Pay account",
            "joint_users_ja": "当社およびエグザンプル・ペイ株式会社",
            "joint_users_en": "We and Example Pay Co., Ltd.",
            "joint_purpose_ja": "決済サービスのアカウント開設時に、登録済みの電話番号の入力を省略するため",
            "joint_purpose_en": "To save you entering your registered phone number again when you open a payment account",
            "administrator_name_ja": "エグザンプル・ワークス株式会社",
            "administrator_name_en": "Example Works Corporation",
            "administrator_address_ja": "東京都千代田区紀尾井町1-3",
            "administrator_address_en": "1-3 Kioicho, Chiyoda-ku, Tokyo",
            "administrator_representative_ja": "代表取締役社長 山本 さくら",
            "administrator_representative_en": "Sakura Yamamoto, President",
        },
    ),
    (
        "Example Works Korea Co., Ltd.",
        ("障害復旧センターの運用", "Running the disaster-recovery centre"),
        Basis.ENTRUSTMENT,
        ["service-operation"],
        [DataItem.BACKUP],
        {
            "contract_date": datetime.date(2024, 3, 15),
            "instructions_ja": "バックアップの保管と、障害時の復旧作業のみ。閲覧・分析・第三者提供は禁止。",
            "instructions_en": "Keep backups and restore them after an outage only; no viewing, analysis or onward provision.",
            "review_due_on": datetime.date(2026, 12, 10),
            "last_reviewed_on": datetime.date(2025, 12, 10),
        },
    ),
    (
        "Example Support Co., Ltd.",
        ("お問い合わせ対応の委託", "Handling customer inquiries"),
        Basis.ENTRUSTMENT,
        ["service-operation"],
        [DataItem.NAME, DataItem.EMAIL, DataItem.PHONE, DataItem.INQUIRY],
        {
            "contract_date": datetime.date(2024, 3, 1),
            "instructions_ja": "お問い合わせへの回答に必要な範囲でのみ取り扱い、回答後90日で消去すること。",
            "instructions_en": "Handle the data only as needed to answer inquiries; erase it 90 days after the answer.",
            "review_due_on": datetime.date(2027, 3, 1),
            "last_reviewed_on": datetime.date(2026, 3, 1),
        },
    ),
    (
        "Toto University Institute of Social Informatics",
        ("利用動向の共同研究", "Joint research on usage trends"),
        Basis.CONSENT,
        ["provision-research"],
        EXPORT,
        {},
    ),
    (
        "Data Quality Lab Inc.",
        ("品質改善と新サービス検証", "Quality and new-service verification"),
        Basis.CONSENT,
        ["provision-quality", "provision-new-services"],
        EXPORT,
        {},
    ),
    (
        "SafeNet Analytics K.K.",
        ("不正利用の検知", "Detecting unauthorised use"),
        Basis.CONSENT,
        ["provision-fraud-prevention"],
        EXPORT,
        {},
    ),
    (
        "Calendar Sync",
        ("連携アプリへの提供", "Provision to the connected application"),
        Basis.CONSENT,
        ["connected-apps"],
        [DataItem.NAME, DataItem.EMAIL],
        {},
    ),
    (
        "Expense App",
        ("連携アプリへの提供", "Provision to the connected application"),
        Basis.CONSENT,
        ["connected-apps"],
        [DataItem.NAME, DataItem.EMAIL],
        {},
    ),
]


@transaction.atomic
def load(*, out) -> None:
    purposes = {p.code: p for p in Purpose.objects.all()}
    needed = {code for row in ARRANGEMENTS for code in row[3]}
    if not needed <= set(purposes):
        out("  partners: skipped (the consents demo purposes are missing)")
        return
    countries = {}
    for code, name_ja, name_en, system_ja, system_en, equivalent, purpose_code in COUNTRIES:
        countries[code], _ = Country.objects.update_or_create(
            code=code,
            defaults={
                "name_ja": name_ja,
                "name_en": name_en,
                "protection_system_ja": system_ja,
                "protection_system_en": system_en,
                "equivalent_protection": equivalent,
                "consent_purpose": purposes.get(purpose_code) if purpose_code else None,
            },
        )
    partners = {}
    for name_en, fields in PARTNERS.items():
        fields = dict(fields)
        fields["country"] = countries[fields["country"]]
        if "service" in fields:
            fields["service"] = Service.objects.filter(code=fields["service"]).first()
        partners[name_en], _ = Partner.objects.update_or_create(name_en=name_en, defaults=fields)
    for name_en, (title_ja, title_en), basis, codes, items, extra in ARRANGEMENTS:
        arrangement, created = Arrangement.objects.get_or_create(
            partner=partners[name_en],
            title_en=title_en,
            defaults={
                "title_ja": title_ja,
                "basis": basis,
                "data_items": [str(i) for i in items],
                "starts_on": START,
                **extra,
            },
        )
        if created:
            arrangement.purposes.set([purposes[c] for c in codes])
        needs_consent = title_en in CONSENT_BOUND
        if arrangement.needs_consent != needs_consent:
            Arrangement.objects.filter(pk=arrangement.pk).update(needs_consent=needs_consent)
            arrangement.needs_consent = needs_consent
        if arrangement.status == ArrangementStatus.DRAFT:
            registry.arrangement_activate(arrangement=arrangement, actor=None)
    out(
        f"  partners: {len(partners)} partners in {len(countries)} countries, "
        f"{len(ARRANGEMENTS)} arrangements"
    )
    _records(partners, purposes)
    # The partner API's demo system and key (issue 14).
    from partners.api.demo import load as api_load

    api_load(out=out)


def _records(partners: dict[str, Partner], purposes: dict[str, Purpose]) -> None:
    """A few provisions to the demo customers, once: the gate decides each."""
    hanako = User.objects.filter(email="hanako@example.jp").first()
    if hanako is None or ProvisionRecord.objects.filter(customer=hanako).exists():
        return
    wanted = [
        ("Example Pay Co., Ltd.", "group-phone-sharing", [DataItem.PHONE]),
        ("Example Support Co., Ltd.", "service-operation", [DataItem.NAME, DataItem.INQUIRY]),
        ("Data Quality Lab Inc.", "provision-quality", [DataItem.PREFECTURE, DataItem.USAGE]),
        ("Calendar Sync", "connected-apps", [DataItem.NAME, DataItem.EMAIL]),
    ]
    for name_en, code, items in wanted:
        decision = gate.provision_decide(
            customer=hanako, partner=partners[name_en], purpose=purposes[code], items=items
        )
        if decision.allowed:
            records.provision_record(
                customer=hanako, partner=partners[name_en], purpose=purposes[code], items=items
            )
