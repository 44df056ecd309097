"""The admin goes through the services: the status only by the transition service, legal holds
by the audited hold service, monitoring settings by application_update; registered once."""

import pytest
from django.contrib import admin

from applications.admin import JobApplicationAdmin
from applications.models import JobApplication
from monitoring.models import AccessEvent

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/applications/jobapplication/"


def _act(client, action, *applications):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [a.pk for a in applications]}
    )


def test_the_status_is_read_only_in_the_form(acme, admin_user, client):
    client.force_login(admin_user)
    app = acme.application
    before = app.status
    page = client.get(f"{CHANGELIST}{app.pk}/change/")
    assert page.status_code == 200
    assert b'name="status"' not in page.content
    client.post(
        f"{CHANGELIST}{app.pk}/change/",
        {
            "status": "completed",
            "camera_monitoring": "on",
            "camera_interval": 20,
            "screen_interval": 30,
            "consents-TOTAL_FORMS": 0,
            "consents-INITIAL_FORMS": 0,
            "invitations-TOTAL_FORMS": 0,
            "invitations-INITIAL_FORMS": 0,
            "erasures-TOTAL_FORMS": 0,
            "erasures-INITIAL_FORMS": 0,
        },
    )
    app.refresh_from_db()
    assert app.status == before  # not writable here
    assert (app.camera_interval, app.screen_monitoring) == (20, False)  # through the service


def test_withdraw_is_a_transition_with_its_stamp_and_audit(acme, globex, admin_user, client):
    client.force_login(admin_user)
    globex.application.status = JobApplication.Status.COMPLETED
    globex.application.save()
    response = _act(client, "withdraw", acme.application, globex.application)
    assert response.status_code == 302
    acme.application.refresh_from_db()
    assert acme.application.status == "withdrawn" and acme.application.withdrawn_at
    globex.application.refresh_from_db()
    assert globex.application.status == "completed"  # refused: it cannot be withdrawn
    entry = AccessEvent.objects.get(action=AccessEvent.Action.STATUS_CHANGED)
    assert (entry.actor, entry.application_id) == (admin_user, acme.application.pk)


def test_legal_holds_are_audited(acme, admin_user, client):
    client.force_login(admin_user)
    _act(client, "hold", acme.application)
    _act(client, "hold", acme.application)  # already held: nothing changes, nothing logged
    acme.application.refresh_from_db()
    assert acme.application.legal_hold
    _act(client, "release", acme.application)
    acme.application.refresh_from_db()
    assert not acme.application.legal_hold
    actions = list(
        AccessEvent.objects.filter(application=acme.application)
        .order_by("id")
        .values_list("action", "actor")
    )
    assert actions == [("legal_hold_set", admin_user.pk), ("legal_hold_released", admin_user.pk)]


def test_the_application_admin_is_registered_once_with_the_receipts(acme, admin_user, client):
    assert type(admin.site._registry[JobApplication]) is JobApplicationAdmin
    client.force_login(admin_user)
    page = client.get(f"{CHANGELIST}{acme.application.pk}/change/")
    assert b"Erasure receipts" in page.content and b"Consent history" in page.content


def test_admin_pages_name_things_properly_and_show_times_like_the_pages(acme, admin_user, client):
    client.force_login(admin_user)
    index = client.get("/admin/").content.decode()
    assert "Live watches" in index and "Live watchs" not in index
    assert "Incidents" in index and "Audit log" in index and "Page events" in index
    listing = client.get(CHANGELIST).content.decode()
    assert f'<time datetime="{acme.application.created_at.isoformat()}"' in listing
    assert "js/admin-page.js" in listing
    assert client.get(f"{CHANGELIST}?o=-11").status_code == 200  # sorted by the time column
