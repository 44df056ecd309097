"""Account changes that end sessions. Sent after the user row is saved.

kwargs: user
"""

from django.dispatch import Signal

password_changed = Signal()
user_deactivated = Signal()
