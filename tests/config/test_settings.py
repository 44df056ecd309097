"""Settings switch with the environment; production settings pass `check --deploy`.

Each case runs Django in a fresh subprocess, so the settings module is read from scratch.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
from config.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "storage": settings.STORAGES["default"]["BACKEND"],
    "debug": settings.DEBUG,
    "img_src": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
}))
"""

KEEP_KEYS = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH")


def _env(**overrides: str) -> dict[str, str]:
    """A clean environment: only what the overrides say reaches the settings module (and an
    e-mail backend, which production must name)."""
    env = {k: v for k, v in os.environ.items() if k in KEEP_KEYS}
    env["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
    env.update(overrides)
    return env


def _probe(**overrides: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=_env(DJANGO_SETTINGS_MODULE="config.settings", **overrides),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_embedded_defaults_need_no_services():
    got = _probe(DEBUG="true")
    assert got["engine"] == "django.db.backends.sqlite3"
    assert got["layer"] == "channels.layers.InMemoryChannelLayer"
    assert got["eager"] is True
    assert got["storage"] == "monitoring.images.storage.SignedLocalStorage"


def test_services_switch_on_from_environment():
    got = _probe(
        DEBUG="true",
        DATABASE_URL="postgres://u:p@db.internal:5432/invigil",
        REDIS_URL="redis://cache.internal:6379/0",
        AWS_S3_BUCKET_NAME="bucket",
    )
    assert got["engine"] == "django.db.backends.postgresql"
    assert got["db_name"] == "invigil"
    assert got["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert got["eager"] is False
    assert got["broker"] == "redis://cache.internal:6379/0"
    assert got["storage"] == "monitoring.images.storage.S3ImageStorage"


def test_debug_is_off_and_secret_key_required_by_default():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=_env(DJANGO_SETTINGS_MODULE="config.settings"),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_settings_pass_check_deploy():
    env = _env(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="p" * 10 + "-Zx9!kq2@LmN#4vBw8$Rt6%Yh1^Uj3&Io5*Pa7(Sd0)Fg-Hk",
        ALLOWED_HOSTS="invigil.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_csp_lets_images_come_from_the_storage_origin():
    assert _probe(DEBUG="true")["img_src"] == ["'self'", "data:"]
    endpoint = _probe(
        DEBUG="true", AWS_S3_BUCKET_NAME="b", AWS_ENDPOINT_URL_S3="http://127.0.0.1:9000/"
    )
    assert endpoint["img_src"] == ["'self'", "data:", "http://127.0.0.1:9000"]
    aws = _probe(DEBUG="true", AWS_S3_BUCKET_NAME="shots", AWS_REGION="eu-west-1")
    assert "https://shots.s3.eu-west-1.amazonaws.com" in aws["img_src"]


def _environment_reads() -> dict[str, str]:
    """Every environment variable the code reads: settings (`env.int("X")` …), `os.environ`
    reads in the apps and config, and the `${X:-default}` of the bin/ scripts."""
    import re

    from tests.processes import BASE_DIR

    found: dict[str, str] = {}
    patterns = [
        r'\benv\.\w+\(\s*"([A-Z][A-Z0-9_]+)"',
        r'os\.(?:environ\.get|getenv)\(\s*"([A-Z][A-Z0-9_]+)"',
        r'os\.environ\[\s*"([A-Z][A-Z0-9_]+)"\s*\]',
    ]
    for package in ("accounts", "applications", "cameras", "common", "config", "monitoring"):
        for path in (BASE_DIR / package).rglob("*.py"):
            if "migrations" not in path.parts:
                for pattern in patterns:
                    for name in re.findall(pattern, path.read_text()):
                        found.setdefault(name, str(path.relative_to(BASE_DIR)))
    for path in (BASE_DIR / "bin").iterdir():
        for name in re.findall(r"\$\{([A-Z][A-Z0-9_]*):[-=]", path.read_text()):
            found.setdefault(name, str(path.relative_to(BASE_DIR)))
    return found


def test_every_environment_variable_the_code_reads_is_in_a_readme_table():
    from tests.processes import BASE_DIR

    reads = _environment_reads()
    assert {"DATABASE_URL", "REDIS_URL", "TRUSTED_PROXIES", "INVIGIL_ADDR"} <= set(reads)
    rows = [line for line in (BASE_DIR / "README.md").read_text().splitlines() if line[:1] == "|"]
    table = "\n".join(rows)
    missing = {name: where for name, where in reads.items() if f"`{name}`" not in table}
    assert missing == {}


def test_production_refuses_to_start_without_an_email_backend():
    """The console would print invitation links (which set a password) into the logs."""
    env = _env(DJANGO_SETTINGS_MODULE="config.settings", SECRET_KEY="k" * 50)
    del env["EMAIL_BACKEND"]
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "EMAIL_BACKEND is not set" in result.stderr
    chosen = _probe(SECRET_KEY="k" * 50, EMAIL_BACKEND="common.mail.ConsoleEmailBackend")
    assert chosen["debug"] is False  # chosen explicitly: it starts


def test_the_console_backend_leaves_invitation_links_out_of_the_log(settings, capsys):
    from django.core.mail import EmailMessage

    from common.mail import ConsoleEmailBackend

    body = "Set your password here:\nhttps://invigil.example.com/invitations/eyJpIjo3fQ:1vX:abc/\n"
    settings.DEBUG = False
    ConsoleEmailBackend().send_messages([EmailMessage("Invite", body, to=["n@example.com"])])
    written = capsys.readouterr().out
    assert "eyJpIjo3fQ" not in written and "/invitations/[link left out of the log]/" in written
    settings.DEBUG = True  # the local demo: the link is what the tester follows
    ConsoleEmailBackend().send_messages([EmailMessage("Invite", body, to=["n@example.com"])])
    assert "eyJpIjo3fQ" in capsys.readouterr().out
