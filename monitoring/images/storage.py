"""Image storage that the rest of the code cannot tell apart: S3 or local files.

`default_storage.url(key)` is always a signed link that expires after SIGNED_URL_EXPIRES
seconds: a presigned S3 URL (django-storages, `querystring_expire`) or, for local files, a
link to `signed_file_view` carrying a Django signature over the key.
"""

import shutil
import threading
import uuid
from datetime import datetime
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from circuitbreaker import CircuitBreaker
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.urls import reverse
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from common.db import release_connection

STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


class StorageUnavailable(Exception):
    """The store failed, timed out, or the breaker is open: nothing was stored."""

    def __init__(self, message: str, *, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after


_breaker: tuple[tuple, CircuitBreaker] | None = None
_breaker_lock = threading.Lock()


def breaker() -> CircuitBreaker:
    """The process's storage circuit breaker: STORAGE_BREAKER_FAILURES storage errors in a row
    open it for STORAGE_BREAKER_SECONDS, then writes are tried again.

    The `circuitbreaker` library holds no lock while the write runs (pybreaker, tried first,
    serialises every call of a breaker under one lock: one upload at a time per process)."""
    global _breaker
    config = (settings.STORAGE_BREAKER_FAILURES, settings.STORAGE_BREAKER_SECONDS)
    with _breaker_lock:
        if _breaker is None or _breaker[0] != config:
            _breaker = (
                config,
                CircuitBreaker(
                    failure_threshold=config[0],
                    recovery_timeout=config[1],
                    expected_exception=STORAGE_ERRORS,
                    name="storage",
                ),
            )
        return _breaker[1]


def store(key: str, data: bytes) -> str:
    """Write an object, holding no database connection while the network is waited on.

    Answers at once (StorageUnavailable) while the breaker is open; a store that refuses or
    hangs costs at most the S3 client's short time-outs (AWS_S3_CONNECT_TIMEOUT,
    AWS_S3_READ_TIMEOUT, one retry).
    """
    release_connection()
    guard = breaker()
    if guard.opened:
        raise StorageUnavailable(
            "the image store is failing; writes pause briefly",
            retry_after=max(1, guard.open_remaining),
        )
    try:
        return guard.call(default_storage.save, key, ContentFile(data))
    except STORAGE_ERRORS as exc:
        raise StorageUnavailable(
            str(exc), retry_after=max(1, round(settings.STORAGE_BREAKER_SECONDS))
        ) from exc


SIGNING_SALT = "invigil.monitoring.signed-file"
KEY_PREFIX = "monitoring"


def application_prefix(application_id: int) -> str:
    """Every object of one interview lives under this prefix (see storage_key)."""
    return f"{KEY_PREFIX}/{application_id}/"


def delete_under(prefix: str, *, limit: int = 500) -> int:
    """Delete up to `limit` stored objects whose key starts with `prefix` (S3: one listing and
    one batch delete); returns how many were deleted, 0 once nothing is left. Holds no
    database connection while it waits on the store."""
    release_connection()
    return default_storage.delete_under(prefix, limit=limit)


def read_object(key: str) -> bytes:
    """A stored object's bytes, holding no database connection while the network is waited on."""
    release_connection()
    return read_bytes(key)


def read_bytes(key: str) -> bytes:
    """A stored object's bytes, in one read (one GetObject on S3). Both storages of this
    module have `read_bytes`."""
    return default_storage.read_bytes(key)


def storage_key(*, application_id: int, image_type: str, captured_at: datetime) -> str:
    """`monitoring/{application}/{camera|screen}/{epoch ms}-{uuid4}.jpg` (DESIGN.md)."""
    epoch_ms = int(captured_at.timestamp() * 1000)
    return f"{KEY_PREFIX}/{application_id}/{image_type}/{epoch_ms}-{uuid.uuid4()}.jpg"


class SignedLocalStorage(FileSystemStorage):
    """Local files, never served by path: only through a signed, expiring link."""

    def delete_under(self, prefix: str, *, limit: int = 500) -> int:
        root = Path(self.path(prefix.rstrip("/")))
        if not root.is_dir():
            return 0
        files = []
        for path in root.rglob("*"):
            if path.is_file():
                files.append(path)
                if len(files) >= limit:
                    break
        for path in files:
            path.unlink(missing_ok=True)
        if len(files) < limit:
            shutil.rmtree(root, ignore_errors=True)  # only empty folders are left
        return len(files)

    def read_bytes(self, name: str) -> bytes:
        with self.open(name, "rb") as handle:
            return handle.read()

    def url(self, name: str) -> str:
        token = signing.dumps(name, salt=SIGNING_SALT, compress=True)
        return reverse("signed-file", kwargs={"token": token})


def key_from_signed_token(token: str) -> str:
    """The storage key a link names; raises signing.BadSignature (incl. expired) otherwise."""
    return signing.loads(token, salt=SIGNING_SALT, max_age=settings.SIGNED_URL_EXPIRES)


class S3ImageStorage(S3Storage):
    """django-storages' S3Storage with one boto3 connection per process.

    S3Storage keeps its boto3 session in a thread-local; under ASGI, Django runs every
    request's sync code in a fresh thread, so each upload built a new boto3 session (100–250
    ms, measured in bench/ingest.py). Here the process shares one resource, created once
    under a lock. The storage only makes per-call objects from it (`bucket.Object(key)`) and
    uses the client, which boto3 documents as thread-safe.
    """

    _shared_lock = threading.Lock()
    _shared: dict = {}

    @property
    def connection(self):
        key = (self.access_key, self.endpoint_url, self.region_name, self.bucket_name)
        resource = self._shared.get(key)
        if resource is None:
            with self._shared_lock:
                resource = self._shared.get(key)
                if resource is None:
                    resource = self._create_session().resource(
                        "s3",
                        region_name=self.region_name,
                        use_ssl=self.use_ssl,
                        endpoint_url=self.endpoint_url,
                        config=self.client_config,
                        verify=self.verify,
                    )
                    self._shared[key] = resource
        return resource

    def _save(self, name, content):
        """One PutObject with the bytes (a capture is small): no resource object and no
        transfer manager per upload — building them was a tenth of an upload's time in the
        web process (py-spy under bench/load.py). The object's integrity in transit is the
        transport's: SigV4 signs the payload's SHA-256 on plain HTTP, TLS protects it on
        HTTPS; the extra CRC32 pass is asked for only where S3 requires it
        (AWS_S3_CLIENT_CONFIG: request_checksum_calculation="when_required"). Large files
        keep django-storages' multipart path."""
        content.seek(0)
        data = content.read()
        if len(data) > self.transfer_config.multipart_threshold:
            content.seek(0)
            return super()._save(name, content)
        cleaned = clean_name(name)
        params = self._get_write_parameters(self._normalize_name(cleaned), content)
        self.connection.meta.client.put_object(
            Bucket=self.bucket_name, Key=self._normalize_name(cleaned), Body=data, **params
        )
        return cleaned

    def read_bytes(self, name: str) -> bytes:
        """One GetObject: `open()` makes a HeadObject first and reads through the transfer
        manager (its threads and futures) — most of an analysis's storage CPU for a 50 KB
        capture (issue 40). SSE-S3 objects need no key to read. A missing object raises
        FileNotFoundError, as `open()` does."""
        client = self.connection.meta.client
        try:
            answer = client.get_object(
                Bucket=self.bucket_name, Key=self._normalize_name(clean_name(name))
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(f"File does not exist: {name}") from exc
            raise
        with answer["Body"] as body:
            return body.read()

    def delete_under(self, prefix: str, *, limit: int = 500) -> int:
        listing = self.bucket.objects.filter(Prefix=self._normalize_name(prefix)).limit(limit)
        keys = [item.key for item in listing]
        if not keys:
            return 0
        answer = self.bucket.delete_objects(
            Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True}
        )
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise OSError(f"S3 kept {len(answer['Errors'])} object(s): {first.get('Message')}")
        return len(keys)
