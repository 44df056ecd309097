from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("interview/", views.interview_list, name="interview-list"),
    path("interview/<int:application_id>/", views.interview_detail, name="interview-detail"),
    path("console/", views.console, name="console"),
    path(
        "console/applications/<int:application_id>/",
        views.review_timeline,
        name="review-timeline",
    ),
    path("media/signed/<str:token>/", views.signed_file, name="signed-file"),
]
