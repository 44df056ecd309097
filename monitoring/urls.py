"""monitoring's pages; its API is under monitoring/api/."""

from django.urls import path

from .images import views as image_views
from .interview import views as interview_views
from .privacy import views as privacy_views
from .review import views as review_views

urlpatterns = [
    path("", interview_views.home, name="home"),
    path("interview/", interview_views.interview_list, name="interview-list"),
    path(
        "interview/<int:application_id>/response/",
        interview_views.interview_response,
        name="interview-response",
    ),
    path(
        "interview/<int:application_id>/",
        interview_views.interview_detail,
        name="interview-detail",
    ),
    path(
        "interview/<int:application_id>/check/",
        interview_views.interview_check,
        name="interview-check",
    ),
    path("console/", review_views.console, name="console"),
    path("console/flags/", review_views.flag_stats_page, name="flag-stats"),
    path(
        "console/applications/<int:application_id>/",
        review_views.review_timeline,
        name="review-timeline",
    ),
    path(
        "console/applications/<int:application_id>/accommodations/",
        review_views.review_accommodations,
        name="review-accommodations",
    ),
    path(
        "console/applications/<int:application_id>/report/",
        review_views.review_report,
        name="review-report",
    ),
    path("media/signed/<str:token>/", image_views.signed_file, name="signed-file"),
    path("privacy/", privacy_views.privacy, name="privacy"),
]
