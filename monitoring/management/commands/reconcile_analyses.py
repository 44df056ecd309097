from common.commands import SweepCommand
from monitoring.analysis.services import analyses_reconcile


class Command(SweepCommand):
    help = (
        "Queue again every capture still without its analysis after ANALYSIS_RETRY_AFTER seconds."
    )
    sweep = staticmethod(analyses_reconcile)
    counts = "analysis(es) queued again"
