from cameras.services import camera_streams_end_stale
from common.commands import SweepCommand


class Command(SweepCommand):
    help = "End camera streams whose heartbeats stopped (beat: every CAMERA_SWEEP_INTERVAL)."
    sweep = staticmethod(camera_streams_end_stale)
    counts = "stale stream(s) ended"
