from common.commands import SweepCommand
from monitoring.privacy.services import erasure_resume


class Command(SweepCommand):
    help = "Go on with erasures that stopped half-way (a task died, the store failed)."
    sweep = staticmethod(erasure_resume)
    counts = "erasure(s) resumed"
