from common.commands import SweepCommand
from monitoring.images.services import orphan_objects_sweep


class Command(SweepCommand):
    help = "Remove stored objects that no capture names (older than MONITORING_ORPHAN_MIN_AGE)."
    sweep = staticmethod(orphan_objects_sweep)
    counts = "orphan object(s) removed"
