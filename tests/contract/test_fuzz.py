"""The API as an integrator's fuzzer sees it: Schemathesis reads the live schema and calls every
operation, as each of the three roles, against a real uvicorn serving config.asgi (the same
process, middleware and ASGI body limit as production; tests/processes.py).

Checks: no 5xx (`not_a_server_error`), every answer matches its documented schema, status,
content type and headers, every error's `code` is one its operation lists and every value of
a listed field (an application's `status`…) one the schema lists (tests/contract/hooks.py).
Nothing is excluded.

The fuzzer's own CLI runs it (what an integrator would run; its summary is printed), with a
fixed seed and no example database, so a run sends the same requests every time. Operations
that change what the others need run after them, on the same world: first everything that
leaves the world as it is, then the state changes (consent answers, transitions, deletes,
erasures), and last the revocation of the fuzzer's own token.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROLES

# Minutes of a real server, in the production shape (PostgreSQL, the Redis channel layer):
# the full run (bin/test) has it, the fast tier does not.
pytestmark = pytest.mark.services

BASE_DIR = Path(__file__).resolve().parents[2]
SEED = 20261130
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "25"))
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "error_code_documented",
        "listed_values_documented",
    ]
)

# Run after everything else, in this order: each changes or removes what others read.
STATE_CHANGES = [
    "applications_consent_create",
    "applications_start_create",
    "applications_terminate_create",
    "applications_finish_create",
    "applications_withdraw_create",
    "applications_monitoring_images_destroy",
    "applications_erase_create",
    "users_erase_create",
]
LAST = ["auth_token_destroy"]


def _config(world, path: Path) -> Path:
    """Path parameters and signed-URL keys drawn mostly from the world's real ids (4 in 5),
    so each role meets its own objects (200), others' (404) and made-up ones."""
    lines = [
        'hooks = "tests.contract.hooks"',
        "[cache]",  # nothing kept between runs: every run starts from the seed alone
        "enabled = false",
        "[generation]",
        'database = "none"',
        "[parameters]",
    ]
    for name in world.ids:
        lines.append(f'{name} = {{ dictionary = "{name}", probability = 0.8 }}')
    for name, values in world.ids.items():
        lines.append(f"[dictionaries.{name}]")
        lines.append(f"values = {json.dumps(values)}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(world, role: str, name: str, schema: Path, config: Path, select: list[str]):
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "--no-color",
        "run",
        str(schema),
        "--url",
        world.url,
        "--header",
        f"Authorization: Token {world.tokens[role]}",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        *select,
    ]
    if report := os.environ.get("CONTRACT_REPORT_DIR"):  # every request and answer, as HAR
        command += ["--report", "har", "--report-dir", f"{report}/{role}/{name.replace(' ', '-')}"]
    env = {**os.environ, "PYTHONPATH": str(BASE_DIR)}
    done = subprocess.run(
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=900
    )
    return done.returncode, done.stdout + done.stderr


def _summary(output: str) -> str:
    """The CLI's own closing line, with its count of test cases."""
    closing = [line.strip(" =") for line in output.splitlines() if re.search(r"\bin \d", line)]
    cases = re.search(r"Test cases:\s*\n\s*(.+)", output)
    return " · ".join(filter(None, [cases and cases.group(1).strip(), closing and closing[-1]]))


# The CLI's failure titles (its "Failures:" section), by what the issue counts.
KINDS = {
    "server errors": ("Server error",),
    "schema violations": ("Response violates schema", "Missing required response headers"),
    "undocumented statuses": ("Undocumented status code",),
    "undocumented content types": ("Undocumented Content-Type", "Missing Content-Type header"),
    "undocumented codes or values": ("Undocumented error code", "Undocumented value"),
}


def _counts(outputs: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for output in outputs:
        for title, number in re.findall(r"ST\d+ ([^:\n]+): (\d+)", output):
            for kind, titles in KINDS.items():
                if title.strip() in titles:
                    counts[kind] += int(number)
    return counts


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(world, role, tmp_path, capsys):
    raw = world.schema(role)
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(raw))
    config = _config(world, tmp_path / "schemathesis.toml")
    runs = [
        ("reads and writes", [f"--exclude-operation-id={op}" for op in STATE_CHANGES + LAST]),
        ("state changes", [f"--include-operation-id={op}" for op in STATE_CHANGES]),
        ("token revocation", [f"--include-operation-id={op}" for op in LAST]),
    ]
    failed, outputs, cases = [], [], 0
    with capsys.disabled():
        for name, select in runs:
            code, output = _run(world, role, name, schema, config, select)
            outputs.append(output)
            print(f"\n[schemathesis · {role} · {name}] {_summary(output)}")
            if os.environ.get("CONTRACT_VERBOSE"):
                print(output)
            if code != 0:
                failed.append(f"--- {name} ---\n{output}")
            if found := re.search(r"Test cases:\s*\n\s*(\d+) generated", output):
                cases += int(found.group(1))
        operations = sum(len(set(ops) - {"parameters"}) for ops in raw["paths"].values())
        counts = _counts(outputs)
        print(
            f"[schemathesis · {role}] {operations} operations, {cases} test cases: "
            + ", ".join(f"{n} {kind}" for kind, n in counts.items())
        )
    assert not failed, "\n".join(failed)
