"""bin/run's own installation secret: a random SECRET_KEY kept under var/ (gitignored), made
once and read back on every start; a SECRET_KEY from the environment wins (issue 26, point 7)."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _secret_key(path: Path, **env: str) -> str:
    script = f'source "{ROOT}/bin/_common.sh" && ensure_secret_key "{path}" && echo "$SECRET_KEY"'
    child = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    out = subprocess.run(
        ["bash", "-c", script], env={**child, **env}, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def test_a_random_key_is_made_once_per_installation_and_kept_private(tmp_path):
    path = tmp_path / "var" / "secret_key"
    first = _secret_key(path)
    assert len(first) >= 50 and "insecure" not in first
    assert path.read_text().strip() == first
    assert path.stat().st_mode & 0o777 == 0o600
    assert _secret_key(path) == first  # the next start: the same key (sessions survive)
    assert _secret_key(tmp_path / "other" / "secret_key") != first  # another installation


def test_a_key_from_the_environment_wins(tmp_path):
    path = tmp_path / "secret_key"
    assert _secret_key(path, SECRET_KEY="from-the-environment") == "from-the-environment"
    assert not path.exists()


def test_var_is_not_in_git():
    assert "/var/" in (ROOT / ".gitignore").read_text().splitlines()
    ignored = subprocess.run(
        ["git", "check-ignore", "var/secret_key"], cwd=ROOT, capture_output=True, text=True
    )
    assert ignored.returncode == 0


def test_bin_run_uses_it_and_checks_the_address_before_serving():
    run = (ROOT / "bin" / "run").read_text()
    assert 'ensure_secret_key "$ROOT/var/secret_key"' in run
    check = run.index('python manage.py demo_network_check "$ADDR"')
    assert run.index("python manage.py seed_demo") < check < run.index("python -m config.server")
