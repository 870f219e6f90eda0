# ruff: noqa: E501, RUF001  (bilingual demo texts: unbroken lines, Japanese punctuation)
"""Demo data of consents: the purposes of LW-3, LY-4 and LY-5, analytics, overseas provision,
the policy history (LW-12) with a current version, services and connected applications, and
some consent history for the demo customers. Safe to run again."""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import transaction

from consents import services
from consents.models import (
    ConsentEvent,
    PolicyVersion,
    Purpose,
    PurposeCategory,
    Service,
    ServiceKind,
)
from portal.models import User

C = PurposeCategory

# code, category, necessary, opt-out, ja name, en name, ja description, en description,
# data items (ja, en), recipients (ja, en), countries
PURPOSES = [
    (
        "registration",
        C.SERVICE,
        True,
        True,
        "会員登録・本人確認・不正利用の防止",
        "Registration, identity checks and fraud prevention",
        "会員登録、本人確認、不正利用の防止のために利用します（3条(1)）。",
        "For membership registration, identity verification and preventing unauthorised use (section 3(1)).",
        ("氏名、メールアドレス、電話番号", "name, email address, phone number"),
        ("", ""),
        "",
    ),
    (
        "service-operation",
        C.SERVICE,
        True,
        True,
        "サービスの運営",
        "Running the service",
        "お知らせ、お問い合わせへの回答、アンケート、キャンペーン、商品の配送のために利用します（3条(2)）。",
        "For notices, answering inquiries, questionnaires, campaigns and delivery (section 3(2)).",
        ("氏名、連絡先、住所", "name, contact details, address"),
        ("", ""),
        "",
    ),
    (
        "payment",
        C.SERVICE,
        True,
        True,
        "有料サービスの決済",
        "Payment for paid services",
        "有料サービスの決済のために利用します（3条(3)）。",
        "For payment when you use paid services (section 3(3)).",
        ("決済情報", "payment information"),
        ("", ""),
        "",
    ),
    (
        "statistics-marketing",
        C.MARKETING,
        False,
        False,
        "統計・新サービス開発・マーケティング",
        "Statistics, new services and marketing",
        "利用状況の統計、新サービスの開発、マーケティング・広告のお知らせに利用します（3条(4)）。同意はいつでも撤回できます。",
        "For usage statistics, developing new services and marketing announcements (section 3(4)). You may withdraw at any time.",
        ("利用履歴、メールアドレス", "usage history, email address"),
        ("", ""),
        "",
    ),
    (
        "analytics",
        C.ANALYTICS,
        False,
        False,
        "アクセス解析（Google アナリティクス）",
        "Analytics cookies (Google Analytics)",
        "サイトの利用状況を把握するため、個人を特定しない形で Google アナリティクスを利用します（7条）。",
        "Google Analytics measures how the site is used, without data that identifies you (section 7).",
        ("Cookie、閲覧したページ", "cookies, pages viewed"),
        ("Google LLC", "Google LLC"),
        "US",
    ),
    (
        "group-phone-sharing",
        C.GROUP_SHARED_USE,
        False,
        True,
        "グループ会社との電話番号の共同利用",
        "Sharing your phone number within the group",
        "決済サービスのアカウントを開設されたとき、登録済みの電話番号をグループの決済会社と共同利用します。",
        "When you open an account with the group's payment service, the phone number registered with your account is shared with it.",
        ("電話番号", "phone number"),
        ("エグザンプル・ペイ株式会社", "Example Pay Co., Ltd."),
        "JP",
    ),
    (
        "provision-quality",
        C.PARTNER_PROVISION,
        False,
        False,
        "提携先への提供：品質の改善",
        "Provision to partners: improving quality",
        "直接あなたを特定する情報を除いたうえで、サービス品質の改善のために提携先へ提供します。",
        "Provided to partners after removing what directly identifies you, to improve the quality of services.",
        ("利用状況（仮名化）、都道府県", "usage (pseudonymised), prefecture"),
        ("提携先", "partners"),
        "JP",
    ),
    (
        "provision-new-services",
        C.PARTNER_PROVISION,
        False,
        False,
        "提携先への提供：新サービスの検証",
        "Provision to partners: verifying new services",
        "直接あなたを特定する情報を除いたうえで、新しいサービスの検証のために提携先へ提供します。",
        "Provided to partners after removing what directly identifies you, to verify new services.",
        ("利用状況（仮名化）、都道府県", "usage (pseudonymised), prefecture"),
        ("提携先", "partners"),
        "JP",
    ),
    (
        "provision-fraud-prevention",
        C.PARTNER_PROVISION,
        False,
        False,
        "提携先への提供：不正利用の防止",
        "Provision to partners: preventing unauthorised use",
        "直接あなたを特定する情報を除いたうえで、不正利用の防止のために提携先へ提供します。",
        "Provided to partners after removing what directly identifies you, to prevent unauthorised use.",
        ("アクセス記録（仮名化）", "access records (pseudonymised)"),
        ("提携先", "partners"),
        "JP",
    ),
    (
        "provision-research",
        C.RESEARCH,
        False,
        False,
        "研究機関による調査・分析",
        "Surveys and analysis by research institutions",
        "直接あなたを特定する情報を除いたうえで、研究機関の調査・分析のために提供します。",
        "Provided to research institutions after removing what directly identifies you, for their surveys and analysis.",
        ("利用状況（仮名化）、生年、都道府県", "usage (pseudonymised), birth year, prefecture"),
        ("研究機関", "research institutions"),
        "JP",
    ),
    (
        "overseas-provision",
        C.OVERSEAS_PROVISION,
        False,
        False,
        "海外のグループ会社への提供",
        "Provision to a group company overseas",
        "障害復旧センターの運用のため、大韓民国のグループ会社へ提供します。",
        "Provided to a group company in the Republic of Korea that runs the disaster-recovery centre.",
        ("アカウント情報、利用記録", "account data, usage records"),
        ("エグザンプル・ワークス・コリア", "Example Works Korea"),
        "KR",
    ),
    (
        "connected-apps",
        C.CONNECTED_APPLICATION,
        False,
        False,
        "連携アプリへの提供",
        "Provision to applications you connect",
        "あなたが連携したアプリに、アカウントに結び付いた情報を提供します。",
        "Data tied to your account is provided to the applications you connect.",
        ("氏名、メールアドレス", "name, email address"),
        ("連携アプリ", "connected applications"),
        "JP",
    ),
]

SERVICES = [
    (
        "works-drive",
        ServiceKind.SERVICE,
        "ワークス・ドライブ",
        "Works Drive",
        "利用状況",
        "Usage",
        ["statistics-marketing"],
    ),
    (
        "calendar-sync",
        ServiceKind.CONNECTED_APPLICATION,
        "カレンダー連携",
        "Calendar Sync",
        "氏名、メールアドレス、予定",
        "Name, email address, calendar events",
        ["connected-apps"],
    ),
    (
        "expense-app",
        ServiceKind.CONNECTED_APPLICATION,
        "経費精算アプリ",
        "Expense App",
        "氏名、メールアドレス、所属",
        "Name, email address, department",
        ["connected-apps"],
    ),
]

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")

BODY_JA = """エグザンプル・ワークス株式会社 プライバシーポリシー

1. 個人情報の定義
生存する個人に関する情報で、特定の個人を識別できるもの、または他の情報と容易に照合して識別できるものをいいます。

2. 取得する情報
会員登録時およびサービスの利用時に情報を取得します。Cookie によりログイン状態を保持し、利用状況を把握します。IP アドレス、端末情報、ログ情報を取得します。

3. 利用目的
(1) 会員登録、本人確認、不正利用の防止
(2) サービスの運営（お知らせ、お問い合わせへの回答、アンケート、キャンペーン、配送）
(3) 有料サービスの決済
(4) 統計、新サービスの開発、マーケティング・広告
"""

BODY_EN = """Example Works Co., Ltd. Privacy Policy

1. Personal information
Information about a living individual that identifies them, or can easily be combined with other information to do so.

2. What we collect
We collect information when you register and when you use the service. Cookies keep you signed in and measure usage. We collect IP addresses, device information and logs.

3. Purposes
(1) Registration, identity checks, preventing unauthorised use
(2) Running the service (notices, answering inquiries, questionnaires, campaigns, delivery)
(3) Payment for paid services
(4) Statistics, new services, marketing and advertising
"""

ADD_1_1 = (
    "\n4. 第三者提供\nご本人の同意がある場合など法令で認められる場合を除き、第三者に提供しません。\n",
    "\n4. Provision to third parties\nWe provide nothing to third parties without your consent, except where the law allows.\n",
)
ADD_1_2 = (
    "\n5. アクセス解析\nGoogle アナリティクスを利用します。同意しない場合は Cookie 設定で無効にできます。\n",
    "\n5. Analytics\nWe use Google Analytics; you can refuse it in the cookie settings.\n",
)
ADD_2_0 = (
    "\n6. 提携先・海外への提供\n直接あなたを特定する情報を除いたうえで、品質の改善、新サービスの検証、不正利用の防止、研究機関の調査のために提携先へ提供することがあります。障害復旧センターの運用のため、大韓民国のグループ会社へ提供します。いずれも同意をいただいた場合に限ります。\n",
    "\n6. Provision to partners and overseas\nAfter removing what directly identifies you, we may provide data to partners to improve quality, verify new services, prevent unauthorised use and for research institutions' surveys; and to a group company in the Republic of Korea that runs our disaster-recovery centre. Each only with your consent.\n",
)


def _texts(*additions):
    ja, en = BODY_JA, BODY_EN
    for add_ja, add_en in additions:
        ja, en = ja + add_ja, en + add_en
    return ja, en


VERSIONS = [
    # version, effective date, additions, notes ja, notes en, widened purpose codes, published
    ("1.0", datetime.date(2015, 9, 7), (), "制定", "Established", [], True),
    (
        "1.1",
        datetime.date(2016, 11, 21),
        (ADD_1_1,),
        "第三者提供の条項を追加",
        "Added the section on provision to third parties",
        [],
        True,
    ),
    (
        "1.2",
        datetime.date(2017, 2, 2),
        (ADD_1_1, ADD_1_2),
        "アクセス解析の条項を追加",
        "Added the section on analytics",
        ["analytics"],
        True,
    ),
    (
        "2.0",
        datetime.date(2026, 4, 1),
        (ADD_1_1, ADD_1_2, ADD_2_0),
        "提携先・研究機関・海外のグループ会社への提供（同意による）を追加",
        "Added provision to partners, research institutions and an overseas group company (with consent)",
        [
            "provision-quality",
            "provision-new-services",
            "provision-fraud-prevention",
            "provision-research",
            "overseas-provision",
        ],
        True,
    ),
    (
        "2.1",
        datetime.date(2026, 12, 1),
        (ADD_1_1, ADD_1_2, ADD_2_0),
        "（下書き）連携アプリへの提供の説明を拡充",
        "(Draft) Wider description of provision to connected applications",
        ["connected-apps"],
        False,
    ),
]


@transaction.atomic
def load(*, out) -> None:
    purposes = {}
    for position, row in enumerate(PURPOSES, start=1):
        (
            code,
            category,
            necessary,
            opt_out,
            name_ja,
            name_en,
            desc_ja,
            desc_en,
            items,
            recipients,
            countries,
        ) = row
        purposes[code], _ = Purpose.objects.update_or_create(
            code=code,
            defaults={
                "category": category,
                "necessary": necessary,
                "default_granted": opt_out,
                "name_ja": name_ja,
                "name_en": name_en,
                "description_ja": desc_ja,
                "description_en": desc_en,
                "data_items_ja": items[0],
                "data_items_en": items[1],
                "recipients_ja": recipients[0],
                "recipients_en": recipients[1],
                "countries": countries,
                "position": position * 10,
                "is_active": True,
            },
        )
    for code, kind, name_ja, name_en, rec_ja, rec_en, codes in SERVICES:
        service, _ = Service.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name_ja": name_ja,
                "name_en": name_en,
                "receives_ja": rec_ja,
                "receives_en": rec_en,
            },
        )
        service.purposes.set([purposes[c] for c in codes])
    for version, effective, additions, notes_ja, notes_en, widened, published in VERSIONS:
        text_ja, text_en = _texts(*additions)
        policy, created = PolicyVersion.objects.get_or_create(
            version=version,
            defaults={
                "effective_date": effective,
                "text_ja": text_ja,
                "text_en": text_en,
                "revision_notes_ja": notes_ja,
                "revision_notes_en": notes_en,
                "is_published": published,
                "published_at": datetime.datetime.combine(effective, datetime.time(9), TOKYO)
                if published
                else None,
            },
        )
        if created:
            policy.widened_purposes.set([purposes[c] for c in widened])
    out("  consents: 12 purposes, 3 services, policy versions 1.0 (2015-09-07) to 2.0, draft 2.1")
    _history()


def _history() -> None:
    """A few choices of the demo customers, once."""
    hanako = User.objects.filter(email="hanako@example.jp").first()
    emma = User.objects.filter(email="emma@example.com").first()
    if hanako and not ConsentEvent.objects.filter(customer=hanako).exists():
        services.consent_change(
            customer=hanako,
            choices={
                "statistics-marketing": True,
                "provision-quality": True,
                "connected-apps": True,
            },
            source="web",
        )
        services.consent_change(customer=hanako, choices={"analytics": True}, source="banner")
        for code in ("calendar-sync", "expense-app"):
            services.consent_change(
                customer=hanako,
                choices={"connected-apps": True},
                source="web",
                service=Service.objects.get(code=code),
            )
        services.consent_change(
            customer=hanako,
            choices={"statistics-marketing": False},
            source="web",
            service=Service.objects.get(code="works-drive"),
        )
    if emma and not ConsentEvent.objects.filter(customer=emma).exists():
        services.consent_change(
            customer=emma,
            choices={"provision-research": True, "overseas-provision": True, "analytics": True},
            source="web",
        )
        services.consent_change(
            customer=emma, choices={"analytics": False, "provision-research": False}, source="gpc"
        )
