from django.urls import path

from .views import SecondFactorVerifyView, SecondFactorView

urlpatterns = [
    path("", SecondFactorView.as_view(), name="second-factor"),
    path("verify/", SecondFactorVerifyView.as_view(), name="second-factor-verify"),
]
