"""Accounts: sign-up, sign-in, password change and reset, the profile (LW-2.1, LW-2.2B)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from portal import selectors, services
from portal.errors import PortalError
from portal.forms import ProfileForm, SignInForm, SignUpForm
from portal.models import AccessAction
from portal.views.site import set_language_cookie


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        except PortalError as exc:
            form.add_error("email", str(exc))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome. Your account has been created."))
            response = redirect("dashboard")
            set_language_cookie(response, user.preferred_language)
            return response
    return render(request, "public/accounts/sign_up.html", {"form": form})


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
