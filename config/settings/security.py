"""HTTPS, cookies, the Content-Security-Policy, the Permissions-Policy and CORS."""

from .base import DEBUG, env
from .storage import AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_S3_BUCKET_NAME

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# A form without its CSRF token gets the product's 403 page in every mode (JSON under /api/).
CSRF_FAILURE_VIEW = "config.exceptions.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
# The language switcher's cookie (README, "Languages"): sent like the session's, no script reads it.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): our pages load scripts and styles only from this site,
# as static files (no inline script, no style attribute); images (and the images client's
# fetches) also from the storage origin (presigned S3 URLs); data: images (canvas captures,
# Swagger UI's icons).
if AWS_S3_BUCKET_NAME and AWS_ENDPOINT_URL_S3:
    _storage_origins = [AWS_ENDPOINT_URL_S3.rstrip("/")]
elif AWS_S3_BUCKET_NAME:
    _storage_origins = [
        f"https://{AWS_S3_BUCKET_NAME}.s3.{AWS_REGION}.amazonaws.com",
        f"https://s3.{AWS_REGION}.amazonaws.com",
    ]
else:
    _storage_origins = []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'none'"],
        "img-src": ["'self'", "data:", *_storage_origins],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'", *_storage_origins],  # the images client may fetch them
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy: the interview page may use the camera and share the screen; nothing may
# use the microphone; the rest of the powerful features are off.
PERMISSIONS_POLICY = {
    "camera": ["self"],
    "display-capture": ["self"],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}

# CORS (django-cors-headers) for a separate front end: API paths only, no cookies (external
# clients use tokens). Empty by default: no other origin may call the API from a browser.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
