"""The signed local file view: local-storage mode's stand-in for a presigned S3 URL."""

from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseForbidden

from .storage import KEY_PREFIX, key_from_signed_token


def signed_file(request, token: str):
    """Serve a locally stored image for a signed, unexpired link (local-storage mode only)."""
    try:
        key = key_from_signed_token(token)
    except signing.BadSignature:
        return HttpResponseForbidden("This image link is invalid or has expired.")
    if not key.startswith(f"{KEY_PREFIX}/") or not default_storage.exists(key):
        raise Http404("Image not found.")
    response = FileResponse(default_storage.open(key, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
