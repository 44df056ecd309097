from common.commands import SweepCommand
from common.pipeline import outbox_sweep


class Command(SweepCommand):
    help = "Send again every outbox message that is due and was not delivered (e-mails, webhooks)."
    sweep = staticmethod(outbox_sweep)
    counts = "message(s) sent again"
