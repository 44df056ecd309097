from django.urls import include, path

from .views import SsoOrganizationView, SsoStartView

urlpatterns = [
    path("sso/", SsoStartView.as_view(), name="sso-start"),
    path("sso/<slug:slug>/", SsoOrganizationView.as_view(), name="sso-organization"),
    # allauth's OpenID Connect flow: /accounts/oidc/<slug>/login/ and …/login/callback/
    path("", include("allauth.socialaccount.providers.openid_connect.urls")),
]
