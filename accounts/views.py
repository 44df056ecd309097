from django.contrib.auth import views as auth_views

from .signin import address_blocked


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = address_blocked(request)
        if wait is not None:
            response = self.render_to_response(
                self.get_context_data(
                    blocked=f"Too many failed sign-ins from your address. Try again in "
                    f"{max(1, wait // 60)} minute{'s' if wait >= 120 else ''}."
                ),
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    pass
