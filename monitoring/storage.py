"""Image storage that the rest of the code cannot tell apart: S3 or local files.

`default_storage.url(key)` is always a signed link that expires after SIGNED_URL_EXPIRES
seconds: a presigned S3 URL (django-storages, `querystring_expire`) or, for local files, a
link to `signed_file_view` carrying a Django signature over the key.
"""

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

SIGNING_SALT = "invigil.monitoring.signed-file"


class SignedLocalStorage(FileSystemStorage):
    """Local files, never served by path: only through a signed, expiring link."""

    def url(self, name: str) -> str:
        token = signing.dumps(name, salt=SIGNING_SALT, compress=True)
        return reverse("signed-file", kwargs={"token": token})


def key_from_signed_token(token: str) -> str:
    """The storage key a link names; raises signing.BadSignature (incl. expired) otherwise."""
    return signing.loads(token, salt=SIGNING_SALT, max_age=settings.SIGNED_URL_EXPIRES)
