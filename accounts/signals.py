"""Account changes that end sessions. Sent after the user row is saved.

kwargs: user
"""

from django.dispatch import Signal

password_changed = Signal()
user_deactivated = Signal()
# The role, organization or staff status changed: sockets opened with the old rights close.
user_rights_changed = Signal()
