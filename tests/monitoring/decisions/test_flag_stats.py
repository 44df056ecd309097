"""Flags that earn their weight (issue 34, point 3): the statistics from the reviewers' own
verdicts, in the caller's scope, and the organization's rules edited beside them — audited,
applied to interviews that start afterwards only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.services import application_start
from monitoring.integrity.selectors import integrity_rules_of
from monitoring.integrity.services import integrity_rebuild
from monitoring.models import AccessEvent, IncidentVerdict, IntegrityRules, InterviewRules
from tests.factories import (
    AdminFactory,
    IncidentVerdictFactory,
    IntegrityEventFactory,
    JobApplicationFactory,
    MonitoringEventFactory,
)

pytestmark = pytest.mark.django_db


def _verdicts(app, kind, verdict, n, *, days_ago=1, replaced=False):
    at = timezone.now() - timedelta(days=days_ago)
    for _ in range(n):
        IncidentVerdictFactory(
            incident=IntegrityEventFactory(application=app, type=kind),
            verdict=verdict,
            decided_at=at,
            replaced_at=at if replaced else None,
        )


def _by_type(answer) -> dict:
    return {row["type"]: row for row in answer["types"]}


@pytest.fixture
def judged(acme, globex):
    """Acme: no_face 3 confirmed / 1 dismissed, tab_hidden 0 / 2, plus verdicts that must not
    count (replaced, older than 90 days); Globex: 5 confirmed no_face."""
    app = acme.application
    _verdicts(app, "no_face", "confirmed", 3)
    _verdicts(app, "no_face", "dismissed", 1)
    _verdicts(app, "tab_hidden", "dismissed", 2)
    _verdicts(app, "tab_hidden", "confirmed", 4, replaced=True)  # a newer verdict replaced them
    _verdicts(app, "no_face", "dismissed", 6, days_ago=91)  # before the window
    _verdicts(globex.application, "no_face", "confirmed", 5)
    return acme


def test_a_recruiter_sees_the_precision_of_their_own_organizations_verdicts(
    judged, globex, token_client_for
):
    answer = token_client_for(judged.recruiter).get("/api/flag-stats/")
    assert answer.status_code == 200
    body = answer.json()
    stats = _by_type(body)
    assert stats["no_face"] | {"label": ""} == {
        "type": "no_face",
        "label": "",
        "confirmed": 3,
        "dismissed": 1,
        "precision": 0.75,
    }
    assert (stats["tab_hidden"]["confirmed"], stats["tab_hidden"]["dismissed"]) == (0, 2)
    assert stats["tab_hidden"]["precision"] == 0.0
    assert stats["multiple_faces"]["precision"] is None  # no verdict: no figure
    assert len(body["types"]) == len(IncidentVerdict._meta.get_field("incident_type").choices)
    since = timezone.datetime.fromisoformat(body["since"])
    assert abs((timezone.now() - since) - timedelta(days=90)) < timedelta(minutes=1)


def test_an_admin_sees_every_organization_or_one(judged, globex, token_client_for):
    admin = token_client_for(AdminFactory())
    everything = _by_type(admin.get("/api/flag-stats/").json())
    assert (everything["no_face"]["confirmed"], everything["no_face"]["dismissed"]) == (8, 1)
    one = _by_type(admin.get(f"/api/flag-stats/?organization={globex.organization.pk}").json())
    assert (one["no_face"]["confirmed"], one["no_face"]["precision"]) == (5, 1.0)


def test_candidates_get_no_flag_stats(judged, token_client_for):
    answer = token_client_for(judged.candidate).get("/api/flag-stats/")
    assert answer.status_code == 403
    assert answer.json()["code"] == "permission_denied"


def test_the_flags_page_shows_the_figures_and_saves_rules_for_later_interviews(judged, client_for):
    acme = judged
    under_way = acme.application
    under_way.status, under_way.started_at = "invited", None
    under_way.save()
    application_start(actor=acme.candidate, application=under_way)  # rules frozen now
    frozen = InterviewRules.objects.get(application=under_way)
    assert frozen.weights["tab_hidden"] == 4 and frozen.tab_hidden_seconds == 10

    client = client_for(acme.recruiter)
    page = client.get("/console/flags/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-flag-type="no_face"' in html and "75 %" in html
    assert 'name="weight_tab_hidden"' in html and 'value="4"' in html

    form = {
        "sustain_frames": 2,
        "sustain_seconds": 20,
        "tab_hidden_seconds": 30,
        "window_blur_seconds": 10,
    }
    form |= {f"weight_{kind}": weight for kind, weight in frozen.weights.items()}
    form["weight_tab_hidden"] = 0  # 0 of 2 right: it costs nothing from now on
    saved = client.post("/console/flags/", form)
    assert saved.status_code == 302 and "saved=1" in saved["Location"]
    rules = IntegrityRules.objects.get(organization=acme.organization)
    assert rules.weights["tab_hidden"] == 0 and rules.tab_hidden_seconds == 30
    entry = AccessEvent.objects.get(action=AccessEvent.Action.RULES_CHANGED)
    assert entry.actor == acme.recruiter
    assert "tab_hidden_seconds 10 → 30" in entry.detail
    assert "weight of tab_hidden 4 → 0" in entry.detail

    # The interview under way keeps the rules it started with: its tab incident still costs.
    base = timezone.now() - timedelta(minutes=5)
    MonitoringEventFactory(application=under_way, type="tab_hidden", occurred_at=base)
    MonitoringEventFactory(
        application=under_way, type="tab_visible", occurred_at=base + timedelta(seconds=20)
    )
    result = integrity_rebuild(application_id=under_way.pk)
    assert [i.type for i in result["incidents"]] == ["tab_hidden"]  # 20 s ≥ 10 s (frozen)
    assert result["score"] == 96

    # One that starts afterwards is judged by the new rules: 20 s < 30 s, no incident.
    later = JobApplicationFactory(job=under_way.job, status="invited")
    application_start(actor=later.candidate, application=later)
    assert integrity_rules_of(later).tab_hidden_seconds == 30
    MonitoringEventFactory(application=later, type="tab_hidden", occurred_at=base)
    MonitoringEventFactory(
        application=later, type="tab_visible", occurred_at=base + timedelta(seconds=20)
    )
    assert integrity_rebuild(application_id=later.pk)["incidents"] == []


def test_invalid_rules_are_refused_on_the_page_and_change_nothing(judged, client_for):
    client = client_for(judged.recruiter)
    answer = client.post("/console/flags/", {"sustain_frames": 0, "weight_no_face": -3})
    assert answer.status_code == 200  # the form again, with its errors
    assert "field-error" in answer.content.decode()
    assert not IntegrityRules.objects.filter(organization=judged.organization).exists()
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.RULES_CHANGED).exists()


def test_a_recruiter_changes_only_their_own_organizations_rules(judged, globex, client_for):
    """?organization= is an admin's choice; a recruiter's page is their organization's."""
    client = client_for(globex.recruiter)
    page = client.get(f"/console/flags/?organization={judged.organization.pk}")
    assert "Acme" not in page.content.decode()
    stats = page.context["rows"]
    assert next(r for r in stats if r["type"] == "no_face")["confirmed"] == 5  # Globex's own


def test_the_admin_changes_rules_through_the_audited_service(acme, admin_user, client):
    client.force_login(admin_user)
    answer = client.post(
        "/admin/monitoring/integrityrules/add/",
        {
            "organization": acme.organization.pk,
            "sustain_frames": 3,
            "sustain_seconds": 20,
            "tab_hidden_seconds": 10,
            "window_blur_seconds": 10,
            "weights": '{"no_face": 9}',
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    rules = IntegrityRules.objects.get(organization=acme.organization)
    assert (rules.sustain_frames, rules.weights["no_face"]) == (3, 9)
    entry = AccessEvent.objects.get(action=AccessEvent.Action.RULES_CHANGED)
    assert entry.actor == admin_user
    assert "sustain_frames 2 → 3" in entry.detail and "weight of no_face 5 → 9" in entry.detail


def test_a_freeze_racing_another_keeps_the_first_and_the_transaction_usable(acme, monkeypatch):
    """Two recordings beginning at once both freeze the rules: the second's read does not see
    the first's rules yet, its insert meets the one-to-one and does nothing (ON CONFLICT DO
    NOTHING: on PostgreSQL the transaction stays usable), and the first interview's rules
    stand."""
    from accounts.models import Organization
    from monitoring.integrity.services import integrity_rules_freeze
    from tests.factories import InterviewRulesFactory

    app = acme.application
    InterviewRulesFactory(application=app, sustain_frames=7)
    real = Organization.objects.filter
    seen = []

    def not_yet_seen(*args, **kw):  # the read made before the other start committed
        seen.append(kw.pop("jobs__applications__interview_rules__isnull", None))
        return real(*args, **kw)

    monkeypatch.setattr(Organization.objects, "filter", not_yet_seen)
    integrity_rules_freeze(application_id=app.pk)
    assert True in seen  # the race was staged: the freeze went on to its insert
    assert InterviewRules.objects.get(application=app).sustain_frames == 7
    assert IntegrityRules.objects.count() == 0  # and the connection still answers
