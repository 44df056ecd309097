"""A real webhook receiver for the tests: an https server on loopback, in this process, with a
certificate from a test CA (trustme) for `localhost` and `hooks.invigil.test`. It answers the
statuses it is given, in turn (then 200), and keeps every request it got: headers, body, and
the name the client asked for in the TLS handshake (SNI)."""

import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int
    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    server_names: list[str] = field(default_factory=list)

    def url(self, host: str = "localhost", path: str = "/hooks/invigil") -> str:
        return f"https://{host}:{self.port}{path}"

    def answer(self, *statuses: int) -> None:
        self.statuses[:] = list(statuses)


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            reply = b"accepted" if status < 300 else b"receiver says no"
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture(scope="session")
def webhook_ca():
    return trustme.CA()


@pytest.fixture
def ca_bundle(webhook_ca, tmp_path):
    path = tmp_path / "webhook-ca.pem"
    webhook_ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def receiver(webhook_ca, settings, ca_bundle):
    """The receiver, with what reaching it takes: loopback allowed, its CA trusted, and a
    retry schedule of no waiting (the test sweeps the outbox itself)."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_CA_BUNDLE = ca_bundle
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    webhook_ca.issue_cert("localhost", "127.0.0.1", "hooks.invigil.test").configure_cert(context)
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    state = Receiver(port=server.server_address[1])
    server.RequestHandlerClass = _handler(state)

    def sni(sock, name, ctx) -> None:
        state.server_names.append(name)

    context.sni_callback = sni
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
