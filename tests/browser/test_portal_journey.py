"""A newcomer's first visit in a real Chromium: sign up, switch language, sign in again,
edit the profile and find the sign-ins in the access log (LW-2.1, LW-2.2B, LW-11)."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import AccessAction, AccessLogEntry, OutboundMail, User

PASSWORD = "a-long-unusual-passphrase"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.clause("LW-2.1", "LW-2.2B", "LW-11")
def test_sign_up_switch_language_sign_in_edit_profile(page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    shot = page.shots

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("あなたのデータは、あなたが決める")
    shot("home-ja")

    page.get_by_role("link", name="アカウント作成").first.click()
    page.get_by_label("メールアドレス").fill("kenji@example.jp")
    page.get_by_label("氏名").fill("田中 健二")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("パスワード（確認用）").fill(PASSWORD)  # noqa: RUF001
    shot("sign-up")
    page.get_by_role("button", name="アカウント作成").click()
    # The address is confirmed by mail before the account is used.
    expect(page.get_by_role("heading", level=1)).to_have_text("メールをご確認ください")
    shot("sign-up-check-mail")
    body = OutboundMail.objects.get(to="kenji@example.jp").body
    page.goto(re.search(r"https?://[^/\s]+(/accounts/confirm/\S+)", body).group(1))
    page.get_by_role("button", name="メールアドレスを確認する").click()
    expect(page.get_by_role("status")).to_contain_text("メールアドレスが確認できました")
    page.get_by_label("メールアドレス").fill("kenji@example.jp")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("田中 健二")
    shot("dashboard-ja")

    # Switch to English: the page and the account follow.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="My page")).to_be_visible()
    shot("dashboard-en")
    assert User.objects.get(email="kenji@example.jp").preferred_language == "en"

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email address").fill("kenji@example.jp")
    page.get_by_label("Password").fill(PASSWORD)
    shot("sign-in-en")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    page.get_by_role("link", name="Profile").first.click()
    page.get_by_label("Phone number").fill("090-1111-2222")
    page.get_by_label("Prefecture").select_option("27")
    page.get_by_label("Birth year").fill("1985")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile has been saved.")
    expect(page.get_by_label("Phone number")).to_have_value("090-1111-2222")

    log = page.locator("#access-log + p + .table-scroll table")
    expect(log).to_contain_text("Signed in")
    expect(log).to_contain_text("Profile changed")
    expect(log).to_contain_text("127.0.0.1")
    shot("profile-access-log")

    user = User.objects.get(email="kenji@example.jp")
    assert (user.phone, user.prefecture, user.birth_year) == ("090-1111-2222", "27", 1985)
    actions = set(AccessLogEntry.objects.filter(user=user).values_list("action", flat=True))
    assert {AccessAction.SIGN_UP, AccessAction.SIGN_IN, AccessAction.PROFILE_CHANGE} <= actions
