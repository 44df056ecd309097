from django.urls import path

from .views import (
    ApplicationDetailApi,
    ApplicationFinishApi,
    ApplicationListApi,
    ApplicationStartApi,
    ApplicationTerminateApi,
    ApplicationWithdrawApi,
    CandidateResponseApi,
    ConsentApi,
    DecisionApi,
    DecisionConfirmApi,
    JobDetailApi,
    JobListApi,
    SystemCheckApi,
)

urlpatterns = [
    path("applications/", ApplicationListApi.as_view(), name="api-applications"),
    path(
        "applications/<int:application_id>/",
        ApplicationDetailApi.as_view(),
        name="api-application-detail",
    ),
    path(
        "applications/<int:application_id>/consent/",
        ConsentApi.as_view(),
        name="api-application-consent",
    ),
    path(
        "applications/<int:application_id>/start/",
        ApplicationStartApi.as_view(),
        name="api-application-start",
    ),
    path(
        "applications/<int:application_id>/finish/",
        ApplicationFinishApi.as_view(),
        name="api-interview-finish",
    ),
    path(
        "applications/<int:application_id>/withdraw/",
        ApplicationWithdrawApi.as_view(),
        name="api-application-withdraw",
    ),
    path(
        "applications/<int:application_id>/terminate/",
        ApplicationTerminateApi.as_view(),
        name="api-application-terminate",
    ),
    path(
        "applications/<int:application_id>/decision/",
        DecisionApi.as_view(),
        name="api-application-decision",
    ),
    path(
        "applications/<int:application_id>/decision/confirm/",
        DecisionConfirmApi.as_view(),
        name="api-application-decision-confirm",
    ),
    path(
        "applications/<int:application_id>/response/",
        CandidateResponseApi.as_view(),
        name="api-application-response",
    ),
    path(
        "applications/<int:application_id>/system-check/",
        SystemCheckApi.as_view(),
        name="api-application-system-check",
    ),
    path("jobs/", JobListApi.as_view(), name="api-jobs"),
    path("jobs/<int:job_id>/", JobDetailApi.as_view(), name="api-job-detail"),
]
