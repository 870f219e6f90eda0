"""Names of the countries and regions a purpose sends data to (LY-2), for the consent page.

Kept small and local: consents sits below partners, which holds the full register of
countries with their protection systems (APPI Art. 28)."""

from __future__ import annotations

from portal.i18n import english_active

NAMES = {
    "JP": ("日本", "Japan"),
    "KR": ("大韓民国", "Republic of Korea"),
    "US": ("アメリカ合衆国", "United States"),
    "SG": ("シンガポール", "Singapore"),
    "VN": ("ベトナム", "Viet Nam"),
    "TW": ("台湾", "Taiwan"),
    "TH": ("タイ", "Thailand"),
    "IE": ("アイルランド", "Ireland"),
    "DE": ("ドイツ", "Germany"),
    "GB": ("英国", "United Kingdom"),
}


def country_name(code: str) -> str:
    ja, en = NAMES.get(code.upper(), (code.upper(), code.upper()))
    return en if english_active() else ja
