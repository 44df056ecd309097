from django.urls import path, re_path

from .decisions import FlagStatsApi, IncidentVerdictApi, ReviewNoteDetailApi, ReviewNoteListApi
from .identity import IdentityApi, IdentityConfirmApi
from .images import MonitoringImageDetailApi, MonitoringImageListApi, SignedUrlApi, SignedUrlsApi
from .integrity import IntegrityApi, TimelineCsvApi
from .interview import MonitoringEventListApi
from .privacy import ApplicationEraseApi, ErasureReceiptApi, ExportZipApi, UserEraseApi

urlpatterns = [
    path("flag-stats/", FlagStatsApi.as_view(), name="api-flag-stats"),
    path(
        "applications/<int:application_id>/monitoring-images/",
        MonitoringImageListApi.as_view(),
        name="api-monitoring-images",
    ),
    path(
        "applications/<int:application_id>/monitoring-images/<int:image_id>/",
        MonitoringImageDetailApi.as_view(),
        name="api-monitoring-image-detail",
    ),
    path(
        "applications/<int:application_id>/events/",
        MonitoringEventListApi.as_view(),
        name="api-monitoring-events",
    ),
    path(
        "applications/<int:application_id>/identity/",
        IdentityApi.as_view(),
        name="api-identity",
    ),
    path(
        "applications/<int:application_id>/identity/confirm/",
        IdentityConfirmApi.as_view(),
        name="api-identity-confirm",
    ),
    path(
        "applications/<int:application_id>/incidents/<int:incident_id>/verdict/",
        IncidentVerdictApi.as_view(),
        name="api-incident-verdict",
    ),
    path(
        "applications/<int:application_id>/notes/",
        ReviewNoteListApi.as_view(),
        name="api-review-notes",
    ),
    path(
        "applications/<int:application_id>/notes/<int:note_id>/",
        ReviewNoteDetailApi.as_view(),
        name="api-review-note-detail",
    ),
    path(
        "applications/<int:application_id>/integrity/",
        IntegrityApi.as_view(),
        name="api-integrity",
    ),
    path(
        "applications/<int:application_id>/export.csv",
        TimelineCsvApi.as_view(),
        name="api-timeline-csv",
    ),
    path(
        "applications/<int:application_id>/export.zip",
        ExportZipApi.as_view(),
        name="api-export-zip",
    ),
    path(
        "applications/<int:application_id>/erase/",
        ApplicationEraseApi.as_view(),
        name="api-application-erase",
    ),
    path("users/<int:user_id>/erase/", UserEraseApi.as_view(), name="api-user-erase"),
    path(
        "erasure-receipts/<uuid:receipt_id>/",
        ErasureReceiptApi.as_view(),
        name="api-erasure-receipt",
    ),
    # The seed's slash-less paths answer with and without a trailing slash.
    re_path(r"^monitoring-images/signed-url/?$", SignedUrlApi.as_view(), name="api-signed-url"),
    re_path(r"^monitoring-images/signed-urls/?$", SignedUrlsApi.as_view(), name="api-signed-urls"),
]
