from django.urls import include, path

from .views import LoginView, LogoutView

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    # The names allauth's flow redirects to when it gives up (accounts.sso).
    path("login/", LoginView.as_view(), name="account_login"),
    path("second-factor/", include("accounts.mfa.urls")),
    path("", include("accounts.sso.urls")),
]
