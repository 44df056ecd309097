"""Account changes that end sessions. Sent after the user row is saved.

kwargs: user
"""

from django.dispatch import Signal

password_changed = Signal()
user_deactivated = Signal()
# The role, organization or staff status changed: sockets opened with the old rights close.
user_rights_changed = Signal()

# A second factor was set up (kwargs: user) or reset by an admin (kwargs: user, actor,
# removed — the devices removed, ip); the audit records both (monitoring.audit.receivers).
second_factor_set_up = Signal()
second_factor_removed = Signal()
