"""`?since=&limit=` for the listings that page forward in time, oldest first (DESIGN.md, third
wave: the events and camera-events listings). An interview's record has no natural size limit,
so neither may its listing: the answer stays a plain array of at most `limit` items, and a
client that got a full page asks again with `since` = the last item's time."""

from rest_framework import serializers

LISTING_DEFAULT = 500
LISTING_MAX = 1000


class SinceLimitQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(
        required=False, help_text="Only what happened strictly after this time."
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=LISTING_MAX,
        default=LISTING_DEFAULT,
        help_text=f"At most this many items (default {LISTING_DEFAULT}, at most {LISTING_MAX}).",
    )
