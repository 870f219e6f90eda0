"""Accounts: sign-up, sign-in, password change and reset, the profile (LW-2.1, LW-2.2B)."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import account_changes, selectors, services
from portal.errors import PortalError
from portal.forms import EmailChangeForm, ProfileForm, SignInForm, SignUpForm
from portal.models import AccessAction
from portal.views.site import set_language_cookie


def sign_up(request: HttpRequest) -> HttpResponse:
    """Sign-up never says whether the address already has an account: the same page follows,
    and the address gets one mail either way (a confirmation link, or a note to its holder)."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_changes.user_sign_up(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data["full_name"],
            preferred_language=form.cleaned_data["preferred_language"],
        )
        response = redirect("sign_up_done")
        set_language_cookie(response, form.cleaned_data["preferred_language"])
        return response
    return render(request, "public/accounts/sign_up.html", {"form": form})


def sign_up_done(request: HttpRequest) -> HttpResponse:
    return render(request, "public/accounts/sign_up_done.html")


def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the sign-up mail: a page with a button, so that a mail scanner that opens
    links does not confirm on its own."""
    if request.method == "POST":
        try:
            account_changes.email_confirm(token=token)
        except PortalError as exc:
            messages.error(request, str(exc))
            return redirect("login")
        messages.success(request, _("Your email address is confirmed. You can file requests."))
        return redirect("dashboard" if request.user.is_authenticated else "login")
    return render(request, "public/accounts/email_confirm.html")


@login_required
@require_POST
def email_confirmation_resend(request: HttpRequest) -> HttpResponse:
    account_changes.email_confirmation_send(user=request.user)
    messages.info(request, _("We have sent the confirmation link again. Please check your mail."))
    next_url = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "dashboard"
    return redirect(next_url)


@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    """A new address needs the password, and takes effect only when it answers a link."""
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account_changes.email_change_request(
                user=request.user, new_email=form.cleaned_data["new_email"]
            )
        except PortalError as exc:
            form.add_error("new_email", str(exc))
        else:
            messages.success(
                request,
                _(
                    "We have sent a link to %(email)s. Your address changes when you open it; "
                    "until then it stays as it is."
                )
                % {"email": form.cleaned_data["new_email"]},
            )
            return redirect("profile")
    return render(request, "customer/email_change.html", {"form": form})


def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the mail to the new address: a page with a button (mail scanners open
    links), or what is wrong with the link."""
    template = "public/accounts/email_change_confirm.html"
    try:
        new_email = account_changes.email_change_peek(token=token)
        if request.method == "POST":
            account_changes.email_change_confirm(token=token)
            messages.success(request, _("Your email address has been changed."))
            return redirect("profile" if request.user.is_authenticated else "login")
    except PortalError as exc:
        return render(request, template, {"error": str(exc)}, status=400)
    return render(request, template, {"new_email": new_email})


class SignInView(auth_views.LoginView):
    template_name = "public/accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # Pages follow the customer's own language from now on.
        set_language_cookie(response, self.request.user.preferred_language)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "customer/password_change.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.access_log_record(user=self.request.user, action=AccessAction.PASSWORD_CHANGE)
        messages.success(self.request, _("Your password has been changed."))
        return response


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the mail going through the portal's outbox in the
    customer's own language."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        with transaction.atomic():
            services.mail_queue(
                to=to_email,
                language=user.preferred_language,
                template="password_reset",
                context={k: context[k] for k in ("uid", "token", "protocol", "domain")},
            )

    def save(self, *args, **kwargs):
        # One mail either way: the link to an account holder, a note to any other address,
        # so that the page and the mailbox tell an outsider nothing.
        email = self.cleaned_data["email"]
        if not any(True for _user in self.get_users(email)):
            with transaction.atomic():
                account_changes.password_reset_unknown_address(
                    email=email, language=translation.get_language() or "ja"
                )
            return
        super().save(*args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "public/accounts/password_reset.html"
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "public/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.access_log_record(user=form.user, action=AccessAction.PASSWORD_RESET)
        # A new password ends any sign-in lock on the account, from every address.
        axes_reset(username=form.user.email)
        return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """What the portal holds about the customer, editable, with their access log."""
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.fields}
        try:
            changed = services.user_profile_update(user=user, changes=changes, actor=user)
        except PortalError as exc:
            form.add_error(None, str(exc))
        else:
            if changed:
                messages.success(request, _("Your profile has been saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            response = redirect("profile")
            set_language_cookie(response, user.preferred_language)
            return response
    if request.method == "POST":
        # ModelForm validation writes cleaned values onto the instance; reload so that the
        # page header and access log show what is really stored.
        user.refresh_from_db()
    return render(
        request,
        "customer/profile.html",
        {"form": form, "access_log": selectors.access_log_for(user=user)},
    )
