from django.urls import path

from . import views

urlpatterns = [
    path("console/live/", views.live_board, name="live-board"),
]
