"""Account changes that cannot be hijacked (LW-5).

- Sign-up confirms the address by mail before the account may file requests.
- Changing the address takes effect only when the new address follows a link; the old
  address is told.
- Neither sign-up nor password reset tells a visitor whether an address has an account: the
  page is the same and exactly one mail goes to the address either way.

Links carry a signed token (django.core.signing) naming the account and the addresses it was
made for, so a link stops working once the address it was made for has changed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from portal.errors import PortalError
from portal.models import AccessAction, User
from portal.services import access_log_record, audit_record, mail_queue

CONFIRM_SALT = "portal.email.confirm"
CHANGE_SALT = "portal.email.change"
CONFIRM_MAX_AGE = 3 * 24 * 3600  # three days to open the sign-up mail
CHANGE_MAX_AGE = 24 * 3600  # one day for the new address to answer


def _link(name: str, token: str) -> str:
    return f"{settings.SITE_URL}{reverse(name, kwargs={'token': token})}"


def _expired_or_bad() -> PortalError:
    return PortalError(
        translation.gettext("This link has expired or is not valid. Ask for a new one.")
    )


@transaction.atomic
def user_sign_up(
    *, email: str, password: str, full_name: str = "", preferred_language: str = "ja"
) -> User | None:
    """Create an unconfirmed customer account and mail the confirmation link (LW-2.1).

    If the address already has an account, nothing is created and its holder is told that
    someone tried to sign up with it; the caller shows the same page either way."""
    email = User.objects.normalize_email(email).lower()
    holder = User.objects.filter(email=email).first()
    if holder is not None:
        # Hash the password all the same, so that the answer takes as long as a new account's.
        make_password(password)
        mail_queue(
            to=holder.email,
            language=holder.preferred_language,
            template="sign_up_existing",
            context={"login_url": settings.SITE_URL + reverse("login")},
        )
        audit_record(actor=None, action="portal.user.sign_up_repeated", target=holder)
        return None
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        preferred_language=preferred_language,
        email_confirmed_at=None,
    )
    access_log_record(user=user, action=AccessAction.SIGN_UP)
    email_confirmation_send(user=user)
    return user


def email_confirmation_send(*, user: User) -> None:
    """Mail (again) the link that confirms the account's address."""
    if user.email_confirmed:
        return
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRM_SALT)
    mail_queue(
        to=user.email,
        language=user.preferred_language,
        template="sign_up_confirm",
        context={"confirm_url": _link("email_confirm", token)},
    )


@transaction.atomic
def email_confirm(*, token: str) -> User:
    """The sign-up link was followed: the address is confirmed."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        raise _expired_or_bad() from None
    user = User.objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email != data.get("e"):
        raise _expired_or_bad()
    if not user.email_confirmed:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
        audit_record(actor=user, action="portal.user.email_confirmed", target=user)
    return user


@transaction.atomic
def email_change_request(*, user: User, new_email: str) -> None:
    """Ask the new address to confirm; the account keeps its address until it does.

    The caller has checked the password. If the new address belongs to another account, that
    address is told instead, and the requester sees the same page."""
    new_email = User.objects.normalize_email(new_email).lower()
    if new_email == user.email:
        raise PortalError(translation.gettext("This is already your email address."))
    holder = User.objects.filter(email=new_email).first()
    if holder is not None:
        mail_queue(
            to=holder.email,
            language=holder.preferred_language,
            template="email_change_taken",
            context={},
        )
    else:
        token = signing.dumps({"u": user.pk, "old": user.email, "new": new_email}, salt=CHANGE_SALT)
        mail_queue(
            to=new_email,
            language=user.preferred_language,
            template="email_change_confirm",
            context={"confirm_url": _link("email_change_confirm", token)},
        )
    audit_record(actor=user, action="portal.user.email_change_requested", target=user)


def email_change_peek(*, token: str) -> str:
    """The new address a change link is for (shown on the confirmation page)."""
    try:
        return signing.loads(token, salt=CHANGE_SALT, max_age=CHANGE_MAX_AGE)["new"]
    except (signing.BadSignature, KeyError, TypeError):
        raise _expired_or_bad() from None


@transaction.atomic
def email_change_confirm(*, token: str) -> User:
    """The new address followed its link: the change takes effect and the old address is
    told (LW-5)."""
    try:
        data = signing.loads(token, salt=CHANGE_SALT, max_age=CHANGE_MAX_AGE)
    except signing.BadSignature:
        raise _expired_or_bad() from None
    user = User.objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email != data.get("old"):
        raise _expired_or_bad()
    new_email = data["new"]
    if User.objects.filter(email=new_email).exclude(pk=user.pk).exists():
        raise PortalError(translation.gettext("An account with this email address exists."))
    old_email = user.email
    user.email = new_email
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email", "email_confirmed_at"])
    audit_record(
        actor=user, action="portal.user.email_changed", target=user, payload={"field": "email"}
    )
    mail_queue(
        to=old_email,
        language=user.preferred_language,
        template="email_change_notice",
        context={
            "new_email": new_email,
            "reset_url": settings.SITE_URL + reverse("password_reset"),
        },
    )
    return user


def password_reset_unknown_address(*, email: str, language: str) -> None:
    """Password reset for an address with no account that can reset: the address gets a mail
    saying so, as an account holder gets the link, so the outside sees no difference."""
    mail_queue(
        to=email,
        language=language,
        template="password_reset_unknown",
        context={"sign_up_url": settings.SITE_URL + reverse("sign_up")},
    )
