from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@login_required
@ensure_csrf_cookie
def live_board(request):
    """The live board: its cards arrive over /ws/camera/streams/ (see static/cameras/board.js)."""
    if not request.user.is_staff_role:
        raise PermissionDenied("The live board is for recruiters and admins.")
    return render(request, "cameras/live_board.html", {"timeout": settings.CAMERA_STREAM_TIMEOUT})
