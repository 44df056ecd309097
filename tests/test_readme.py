"""Every file the README points at exists: links, images, and the repository paths it names."""

import re
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
README = (BASE / "README.md").read_text()
TOP = (
    r"bench|bin|docs|static|templates|config|common|accounts|cameras|monitoring|applications"
    r"|integrations"
    r"|tests|\.ci|requirements[\w-]*\.txt|manage\.py|pyproject\.toml"
)


def _referenced() -> set[str]:
    links = re.findall(r"\]\(([^)#\s]+)\)", README)
    paths = re.findall(rf"(?<![\w/.-])((?:{TOP})(?:/[\w.\-/]*)?)", README)
    documents = re.findall(r"(?<![\w/.-])([\w/-]+\.md)\b", README)
    refs = {p.rstrip("/.") for p in [*links, *paths, *documents] if not p.startswith("http")}
    return {p for p in refs if p and not any(c in p for c in "{*…")}


def test_the_readme_names_files_that_exist():
    refs = _referenced()
    assert "docs/DESIGN.md" in refs and "bench/privacy.py" in refs  # the check sees them
    missing = sorted(p for p in refs if not (BASE / p).exists())
    assert missing == []


def test_every_screenshot_the_readme_shows_is_in_the_repository():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert images
    assert [i for i in images if not (BASE / i).is_file()] == []


def test_the_availability_settings_are_in_the_configuration_table():
    """Issue 26: the limits and the proxy setting are documented where operators look."""
    table = README.split("## Configuration", 1)[1].split("\n### ", 1)[0]
    for name in (
        "TRUSTED_PROXIES",
        "HEALTH_DETAIL_TOKEN",
        "HEALTH_CACHE_SECONDS",
        "EXPORT_MAX_PER_HOUR",
        "EXPORT_WORKERS",
        "INVIGIL_DEMO_ON_NETWORK",
    ):
        assert f"| `{name}` |" in table, name
    security = README.split("## Security", 1)[1].split("\n## ", 1)[0]
    assert "TRUSTED_PROXIES" in security and "EXPORT_WORKERS" in security
