from django.urls import path

from .views import InvitationAcceptView

urlpatterns = [
    path("invitations/<str:token>/", InvitationAcceptView.as_view(), name="invitation-accept"),
]
