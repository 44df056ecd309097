from django.urls import include, path

from .views import (
    LoginView,
    LogoutView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    # The names allauth's flow redirects to when it gives up (accounts.sso).
    path("login/", LoginView.as_view(), name="account_login"),
    path("second-factor/", include("accounts.mfa.urls")),
    path("", include("accounts.sso.urls")),
    path("password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
