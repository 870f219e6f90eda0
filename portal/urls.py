from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal.views import accounts, approvals, health, mfa, site

urlpatterns = [
    path("", site.home, name="home"),
    path("healthz/", health.healthz, name="healthz"),
    path("readyz/", health.readyz, name="readyz"),
    path("dashboard/", site.dashboard, name="dashboard"),
    path("language/", site.language_set, name="language_set"),
    path("accounts/sign-up/", accounts.sign_up, name="sign_up"),
    path("accounts/sign-up/sent/", accounts.sign_up_done, name="sign_up_done"),
    path("accounts/confirm/<str:token>/", accounts.email_confirm, name="email_confirm"),
    path(
        "accounts/confirm-again/",
        accounts.email_confirmation_resend,
        name="email_confirmation_resend",
    ),
    path("accounts/email/", accounts.email_change, name="email_change"),
    path(
        "accounts/email/confirm/<str:token>/",
        accounts.email_change_confirm,
        name="email_change_confirm",
    ),
    path("accounts/sign-in/", accounts.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="public/accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="public/accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    # The second factor (portal.mfa); everything under accounts/two-factor/ answers before
    # the second step is done.
    path("accounts/two-factor/", mfa.mfa_verify, name="mfa_verify"),
    path("accounts/two-factor/set-up/", mfa.mfa_setup, name="mfa_setup"),
    path("accounts/two-factor/recovery-codes/", mfa.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("accounts/two-factor/passkeys/", include("django_otp_webauthn.urls")),
    path("accounts/security/", mfa.security, name="security"),
    path("accounts/security/turn-off/", mfa.mfa_remove, name="mfa_remove"),
    path("staff/", site.staff_home, name="staff_home"),
    path("staff/approvals/", approvals.inbox, name="approvals"),
    # Each app's urls.py holds its customer pages and its /staff/ pages.
    path("", include("consents.urls")),
    path("", include("partners.urls")),
    path("", include("requests.urls")),
    path("", include("incidents.urls")),
    # The partner API (issue 14), versioned.
    path("api/v1/", include("partners.api.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "portal.views.errors.forbidden"
handler404 = "portal.views.errors.not_found"
handler500 = "portal.views.errors.server_error"
