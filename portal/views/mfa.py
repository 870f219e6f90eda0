"""The second factor: the sign-in step, enrolment, recovery codes and the security page
(LW-5). The devices and their checks are django-otp's; see portal.mfa."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal import mfa
from portal.errors import PortalError

SESSION_SETUP_DEVICE = "portal_totp_setup_device"
SESSION_NEW_CODES = "portal_recovery_codes_new"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
        help_text=gettext_lazy(
            "The 6-digit code from your authenticator app, or one of your recovery codes."
        ),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."))
        return password


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    if request.user.is_privacy_staff:
        return reverse("staff_home")
    return reverse(settings.LOGIN_REDIRECT_URL)


def _needs_step(request: HttpRequest) -> bool:
    """Enrolled but not yet verified in this session: the second factor comes first."""
    return not request.user.is_verified() and mfa.second_factor_enrolled(request.user)


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not mfa.second_factor_enrolled(user):
        return redirect(f"{reverse('mfa_setup')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().replace(" ", "").replace("-", "")
        device = match_token(user, code)
        if device is None or mfa.demo_secret_refused(device):
            form.add_error("code", _("That code is not right, or it was already used."))
        else:
            otp_login(request, device)
            request.session.pop(mfa.SESSION_PENDING, None)
            left = StaticToken.objects.filter(device__user=user).count()
            if device.persistent_id.startswith("otp_static.") and left <= 3:
                messages.warning(
                    request,
                    _("You have %(count)s recovery codes left. Make new ones on the security page.")
                    % {"count": left},
                )
            return redirect(_next_url(request))
    return render(
        request,
        "customer/two_factor/verify.html",
        {
            "form": form,
            "next": _next_url(request),
            "has_passkey": WebAuthnCredential.objects.filter(user=user).exists(),
        },
    )


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code with an authenticator app and confirm one code; or
    register a passkey."""
    user = request.user
    if _needs_step(request):
        return redirect(f"{reverse('mfa_verify')}?{request.GET.urlencode()}")
    device = None
    device_id = request.session.get(SESSION_SETUP_DEVICE)
    if device_id:
        device = TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()
    if device is None:
        device = mfa.totp_device_start(user=user)
        request.session[SESSION_SETUP_DEVICE] = device.pk
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = _("The 6-digit code your authenticator app shows now.")
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.totp_device_confirm(
                user=user, device_id=device.pk, token=form.cleaned_data["code"]
            )
        except PortalError as exc:
            form.add_error("code", str(exc))
        else:
            del request.session[SESSION_SETUP_DEVICE]
            device.refresh_from_db()
            otp_login(request, device)
            request.session.pop(mfa.SESSION_PENDING, None)
            messages.success(request, _("Your authenticator app is set up."))
            if codes:
                request.session[SESSION_NEW_CODES] = codes
                query = urlencode({"next": _next_url(request)})
                return redirect(f"{reverse('mfa_recovery_codes')}?{query}")
            return redirect(_next_url(request))
    return render(
        request,
        "customer/two_factor/setup.html",
        {
            "form": form,
            "qr_svg": mfa.totp_qr_svg(device),
            "secret": mfa.totp_secret_base32(device),
            "next": _next_url(request),
            "required": mfa.second_factor_required(user),
        },
    )


@login_required
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; POST makes a new set."""
    user = request.user
    if not user.is_verified():
        return redirect(f"{reverse('mfa_verify')}?next={request.get_full_path()}")
    if request.method == "POST":
        codes = mfa.recovery_codes_generate(user=user)
    else:
        codes = request.session.pop(SESSION_NEW_CODES, None)
        if not codes:
            return redirect("security")
    return render(
        request,
        "customer/two_factor/recovery_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The customer's (and staff member's) second factor: what is set up, and changes."""
    user = request.user
    if _needs_step(request):
        return redirect(f"{reverse('mfa_verify')}?next={request.get_full_path()}")
    return render(
        request,
        "customer/security.html",
        {
            "totp": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
            "passkeys": list(WebAuthnCredential.objects.filter(user=user).order_by("pk")),
            "recovery_left": StaticToken.objects.filter(device__user=user).count(),
            "required": mfa.second_factor_required(user),
            "remove_form": PasswordConfirmForm(user=user),
        },
    )


@login_required
@require_POST
def mfa_remove(request: HttpRequest) -> HttpResponse:
    user = request.user
    if _needs_step(request):
        return redirect("mfa_verify")
    form = PasswordConfirmForm(request.POST, user=user)
    if form.is_valid():
        try:
            mfa.second_factor_remove(user=user)
        except PortalError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Two-step sign-in is turned off."))
    else:
        messages.error(request, _("The password is not right. Nothing was changed."))
    return redirect("security")
