"""Sign-in beyond passwords: single sign-on through each organization's OpenID Connect
provider (django-allauth) and a second factor (django-otp: TOTP and recovery codes).

Each organization's provider (issuer, client id and secret, allowed e-mail domains) is data,
set in the admin (accounts.sso); nothing here names one."""

from .base import DEBUG, env

# allauth's account machinery runs only under the single sign-on flow: people never sign up or
# reset passwords through it (Invigil's own sign-in and invitations do that).
ACCOUNT_ADAPTER = "accounts.sso.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.sso.adapter.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = False  # candidates' addresses are theirs; the adapter decides matches
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False  # Invigil never calls the provider on the user's behalf
SOCIALACCOUNT_LOGIN_ON_GET = False  # the flow starts with a POST (CSRF), never a bare link
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# An issuer must be https; plain http only for a provider on this machine in development and
# the tests (the provider the browser test starts).
SSO_ALLOW_HTTP_ISSUER = env.bool("SSO_ALLOW_HTTP_ISSUER", default=DEBUG)

# django-otp: the name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Invigil"
OTP_STATIC_THROTTLE_FACTOR = 1
# A sign-in waiting for its second factor is forgotten after this long (seconds).
SECOND_FACTOR_PENDING_SECONDS = 300
