"""The candidate's system check result (`system_check {passed, at, steps}` on the application):
kept by the server with its own time, passed only when every step the interview needs passed,
shown to the reviewer; only the candidate writes it."""

import pytest

from applications.models import JobApplication

pytestmark = [pytest.mark.django_db, pytest.mark.unchecked]

STEPS = [
    {"name": "browser", "passed": True},
    {"name": "camera", "passed": True, "width": 640, "height": 480},
    {"name": "face", "passed": True, "face_count": 1},
    {"name": "screen", "passed": True},
    {"name": "upload", "passed": True, "mbps": 1.2, "needed_mbps": 0.05},
    {"name": "clock", "passed": True, "offset_ms": -850},
]


def _url(app) -> str:
    return f"/api/applications/{app.id}/system-check/"


def test_a_passed_check_is_kept_and_shown_to_the_reviewer(acme, token_client_for):
    answer = token_client_for(acme.candidate).post(
        _url(acme.application), {"steps": STEPS}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["passed"] is True and answer.json()["at"]
    shown = token_client_for(acme.recruiter).get(f"/api/applications/{acme.application.id}/")
    check = shown.json()["system_check"]
    assert check["passed"] is True and check["at"] == answer.json()["at"]
    assert check["steps"][1] == {"name": "camera", "passed": True, "width": 640, "height": 480}
    assert check["steps"][4]["mbps"] == 1.2


def test_no_check_yet_is_null(acme, token_client_for):
    shown = token_client_for(acme.recruiter).get(f"/api/applications/{acme.application.id}/")
    assert shown.json()["system_check"] is None


def test_a_failed_or_missing_step_fails_the_check(acme, token_client_for):
    client = token_client_for(acme.candidate)
    failed = [*STEPS[:1], {"name": "camera", "passed": False, "detail": "denied"}, *STEPS[2:]]
    assert (
        client.post(_url(acme.application), {"steps": failed}, format="json").json()["passed"]
        is False
    )
    no_screen = [step for step in STEPS if step["name"] != "screen"]
    assert (
        client.post(_url(acme.application), {"steps": no_screen}, format="json").json()["passed"]
        is False
    )


def test_the_screen_step_is_not_needed_without_screen_monitoring(acme, token_client_for):
    JobApplication.objects.filter(pk=acme.application.pk).update(screen_monitoring=False)
    no_screen = [step for step in STEPS if step["name"] != "screen"]
    answer = token_client_for(acme.candidate).post(
        _url(acme.application), {"steps": no_screen}, format="json"
    )
    assert answer.json()["passed"] is True


def test_only_the_candidate_writes_the_check(acme, globex, token_client_for):
    reviewer = token_client_for(acme.recruiter).post(
        _url(acme.application), {"steps": STEPS}, format="json"
    )
    assert reviewer.status_code == 403 and reviewer.json()["code"] == "not_candidate"
    stranger = token_client_for(globex.candidate).post(
        _url(acme.application), {"steps": STEPS}, format="json"
    )
    assert stranger.status_code == 404
    assert JobApplication.objects.get(pk=acme.application.pk).system_check is None


@pytest.mark.parametrize(
    ("steps", "code"),
    [
        (
            [{"name": "camera", "passed": True}, {"name": "camera", "passed": False}],
            "duplicate_step",
        ),
        ([{"name": "telepathy", "passed": True}], "invalid_choice"),
        ([{"name": "upload", "passed": True, "mbps": -1}], "min_value"),
        ([], "empty"),
    ],
)
def test_a_malformed_check_is_a_400(acme, token_client_for, steps, code):
    answer = token_client_for(acme.candidate).post(
        _url(acme.application), {"steps": steps}, format="json"
    )
    assert answer.status_code == 400 and answer.json()["code"] == code, answer.json()
