"""The export's keyed pseudonym (LY-5): HMAC-SHA256 under a key derived from a secret outside
the database and the partner's salt. The expected values were computed with
`openssl dgst -sha256 -hmac`, not with the code under test."""

from __future__ import annotations

from partners.models import Partner
from partners.services import pseudonyms


def test_the_partner_key_is_the_secret_keyed_hash_of_its_salt(settings):
    settings.PARTNERS_PSEUDONYM_SECRET = "s3cret"
    assert pseudonyms.pseudonym_key(Partner(pseudonym_salt="abc")).hex() == (
        "85e8ff301768042ca6ddd4d9e8cf851f9d67008a48f563e2836f4dffd56e5e81"
    )
    assert pseudonyms.pseudonym_key(Partner(pseudonym_salt="xyz")).hex() == (
        "c9bfa097008bb2de9012e5114b515422f065f02fef69f47208a3d171559ae73c"
    )


def test_one_customer_has_another_pseudonym_under_each_key():
    assert pseudonyms.pseudonym(key=b"partner-key", customer_id=42) == (
        "9e20716c66876f7a2f705235f04612a13aa39144a20ebebc22ba97b50a510da8"
    )
    assert pseudonyms.pseudonym(key=b"other-key", customer_id=42) == (
        "7c9326539e7ecedab8dc794efb3a37316889cfd7a3fde5caa8bb68b70f642ad2"
    )
