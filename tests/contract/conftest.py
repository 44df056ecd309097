"""What the contract tests run against: a real uvicorn (tests/processes.py) serving config.asgi
on the test database, a world of committed data every role can see part of, and a token for
each role.

The data is committed (`django_db_reset_sequences`: a transactional test that also restarts
the id sequences, so ids — and with the fuzzer's fixed seed, the requests — are the same on
every run); the server process reads it from the same database.
"""

import io
import json
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token

from applications.models import JobApplication
from monitoring.images.services import monitoring_image_upload
from monitoring.interview.services import monitoring_event_record
from monitoring.models import ErasureJob
from tests.factories import (
    CameraEventFactory,
    CameraStreamFactory,
    CandidateFactory,
    ErasureJobFactory,
    JobApplicationFactory,
    JobFactory,
    MonitoringConsentFactory,
)
from tests.processes import asgi_server, child_env

ROLES = ("admin", "recruiter", "candidate")


def jpeg(size=(64, 48), color=(90, 120, 150)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


@dataclass
class World:
    """Ids of everything the contract tests may name, and a token per role."""

    url: str = ""
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    ids: dict[str, list] = field(default_factory=dict)

    def get(self, path: str, role: str) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - the test server, on loopback
            self.url + path, headers={"Authorization": f"Token {self.tokens[role]}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.read()

    def schema(self, role: str = "admin") -> dict:
        """The live schema, as an integrator downloads it."""
        return json.loads(self.get("/api/schema/?format=json", role))


def build_world(acme, globex, admin_user) -> World:
    """Two organizations (as seed_demo), each candidate with an interview in progress (Acme's
    with consent, captures, page events and camera history; Globex's without consent), plus
    a finished and an invited interview of John's, a candidate whose interviews are all over
    (the user erasure's subject) and a done erasure receipt."""
    john, rita = acme.candidate, acme.recruiter
    MonitoringConsentFactory(application=acme.application)  # to the notice in force
    now = timezone.now()
    images = []
    for n, kind in enumerate(("camera", "camera", "screen")):
        result = monitoring_image_upload(
            actor=john,
            application=acme.application,
            image_type=kind,
            image_bytes=jpeg(color=(40 * n, 100, 160)),
            captured_at=now - timedelta(minutes=3 - n),
        )
        images.append(result.image)
    monitoring_event_record(actor=john, application=acme.application, type="tab_hidden")
    CameraEventFactory(application=acme.application, occurred_at=now - timedelta(minutes=4))
    CameraStreamFactory(user=john, application=acme.application)
    finished = JobApplicationFactory(
        job=JobFactory(organization=acme.organization, title="Acme Analyst"),
        candidate=john,
        status=JobApplication.Status.COMPLETED,
    )
    invited = JobApplicationFactory(
        job=JobFactory(organization=acme.organization, title="Acme Designer"),
        candidate=john,
        status=JobApplication.Status.INVITED,
    )
    zoe = CandidateFactory(username="zoe", first_name="Zoe", last_name="Ziegler")
    zoes = JobApplicationFactory(
        job=globex.job, candidate=zoe, status=JobApplication.Status.COMPLETED
    )
    receipt = ErasureJobFactory(
        state=ErasureJob.State.DONE,
        organization=acme.organization,
        application_ids=[10_000],
        erased_at=now,
    )
    world = World(
        users={"admin": admin_user, "recruiter": rita, "candidate": john},
        ids={
            "application_id": [
                acme.application.pk,
                finished.pk,
                invited.pk,
                globex.application.pk,
                zoes.pk,
            ],
            "job_id": [acme.job.pk, finished.job_id, invited.job_id, globex.job.pk],
            "image_id": [image.pk for image in images],
            "user_id": [zoe.pk, john.pk, globex.candidate.pk, rita.pk],
            "receipt_id": [str(receipt.receipt_id), str(uuid.uuid4())],
            "s3_key": [image.file.name for image in images],
        },
    )
    for role, user in world.users.items():
        world.tokens[role] = Token.objects.create(user=user).key
    return world


@pytest.fixture
def world(django_db_reset_sequences, acme, globex, admin_user, tmp_path) -> World:
    """The world, committed, and a real server process reading it."""
    world = build_world(acme, globex, admin_user)
    with asgi_server(child_env(), tmp_path / "asgi.log") as url:
        world.url = url
        yield world
