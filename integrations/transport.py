"""One webhook request, to the address that was checked (integrations/addresses.py).

urllib3 (already under boto3) lets a connection pool be opened to an IP address while TLS
speaks the name: `server_hostname` is the SNI and `assert_hostname` the name the certificate
must carry. So the address is resolved once, checked, and connected to — the name travels
in the Host header and the handshake only, and a second resolution that could answer
differently (DNS rebinding) never happens. No proxy from the environment is used (urllib3
reads none), no redirect is followed, no retry is made here (the outbox retries).
"""

import ssl
import time
from dataclasses import dataclass

import urllib3
from django.conf import settings
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError
from urllib3.util.ssl_ import create_urllib3_context

from .addresses import AddressRefused, Target, addresses_checked, url_parse

EXCERPT_BYTES = 2048  # read at most this much of an answer
EXCERPT_CHARS = 500  # and keep this much of it
MAX_ADDRESSES = 2  # tried in turn when one refuses the connection (IPv6, then IPv4)


@dataclass
class Answer:
    status_code: int | None = None
    latency_ms: int | None = None
    address: str | None = None
    excerpt: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _tls_context() -> ssl.SSLContext:
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
    if settings.WEBHOOK_CA_BUNDLE:
        context.load_verify_locations(cafile=settings.WEBHOOK_CA_BUNDLE)
    else:
        context.load_default_certs()
    return context


def _pool(target: Target, address: str, timeout: urllib3.Timeout):
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
            ssl_context=_tls_context(),
        )
    return urllib3.HTTPConnectionPool(
        address, target.port, timeout=timeout, retries=False, maxsize=1
    )


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url` once; never raises for what the network or the receiver does —
    the answer says what happened (a refused address is `error` "url_not_allowed: …")."""
    try:
        target = url_parse(url)
        addresses = addresses_checked(target)
    except AddressRefused as exc:
        return Answer(error=f"url_not_allowed: {exc}"[:300])
    timeout = urllib3.Timeout(total=settings.WEBHOOK_TIMEOUT)
    answer = Answer(error="no address to connect to")
    for address in addresses[:MAX_ADDRESSES]:
        answer = _post_to(target, address, body, {**headers, "Host": target.host_header}, timeout)
        if not answer.error.startswith("connection failed"):
            break  # only a connection that never opened is tried on the next address
    return answer


def _post_to(target: Target, address: str, body: bytes, headers: dict, timeout) -> Answer:
    pool = _pool(target, address, timeout)
    started = time.monotonic()
    answer = Answer(address=address.split("%", 1)[0])  # an IPv6 zone is not stored
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers=headers,
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
        )
        answer.latency_ms = round((time.monotonic() - started) * 1000)
        answer.status_code = response.status
        try:
            chunk = response.read(EXCERPT_BYTES, decode_content=False)
        except HTTPError:
            chunk = b""
        answer.excerpt = chunk.decode("utf-8", "replace")[:EXCERPT_CHARS]
        response.release_conn()
        if 300 <= response.status < 400:
            location = response.headers.get("Location", "")
            answer.error = f"redirect not followed (Location: {location})"[:300]
        elif not answer.ok:
            answer.error = f"answered {response.status}"
    except (NewConnectionError, ConnectTimeoutError) as exc:
        answer.latency_ms = round((time.monotonic() - started) * 1000)
        answer.error = f"connection failed: {_reason(exc)}"[:300]
    except (HTTPError, OSError) as exc:
        answer.latency_ms = round((time.monotonic() - started) * 1000)
        answer.error = f"{type(exc).__name__}: {_reason(exc)}"[:300]
    finally:
        pool.close()
    return answer


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason)
