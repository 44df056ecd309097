from common.commands import SweepCommand
from monitoring.integrity.services import snapshot_gaps_sweep


class Command(SweepCommand):
    help = "Surface the silences of live cameras as ongoing snapshot gaps."
    sweep = staticmethod(snapshot_gaps_sweep)
    counts = "live interview(s) checked"
