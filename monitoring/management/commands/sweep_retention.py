from common.commands import SweepCommand
from monitoring.privacy.services import retention_sweep


class Command(SweepCommand):
    help = "Erase every interview past its retention window; expire old receipts and audit."
    sweep = staticmethod(retention_sweep)
    counts = "erasure(s) started"
