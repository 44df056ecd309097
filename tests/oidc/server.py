"""A real OpenID Connect provider for the single sign-on tests: npm's oidc-provider, run by
Node (tests/oidc/provider.mjs) in a process group of its own on a free loopback port.

It ends with the test: its standard input is a pipe from this process, and it exits when the
pipe closes — when the fixture stops it, and also when the test process dies without cleaning
up. `bin/test` installs its packages (`npm ci` in tests/oidc) when node_modules is missing."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import require_service

HERE = Path(__file__).resolve().parent


@contextmanager
def oidc_provider(*, clients: list[dict], accounts: dict[str, dict]):
    """Start the provider; yields its issuer URL (http://127.0.0.1:PORT)."""
    node = shutil.which("node")
    require_service("Node.js", node is not None, "apt-get install nodejs")
    require_service(
        "oidc-provider (npm)",
        (HERE / "node_modules" / "oidc-provider").is_dir(),
        "npm ci --prefix tests/oidc (bin/test does it)",
    )
    env = {
        **os.environ,
        "OIDC_CLIENTS": json.dumps(clients),
        "OIDC_ACCOUNTS": json.dumps(accounts),
    }
    proc = subprocess.Popen(
        [node, str(HERE / "provider.mjs")],
        cwd=HERE,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stopped as one
        text=True,
    )
    try:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the OIDC provider did not start (exit {proc.wait(timeout=5)})")
        yield json.loads(line)["issuer"]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
