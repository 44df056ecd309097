"""The notice and the data lifecycle: retention, erasure, receipts and the audit's own age."""

from .base import env

MONITORING_RETENTION_DAYS = env.int("MONITORING_RETENTION_DAYS", default=90)
# Privacy (README "Privacy"): retention runs daily in batches; an erasure works in short steps
# that resume after a crash; receipts and audit entries are kept 24 months.
RETENTION_SWEEP_SECONDS = env.float("RETENTION_SWEEP_SECONDS", default=24 * 3600.0)
RETENTION_SWEEP_BATCH = env.int("RETENTION_SWEEP_BATCH", default=100)
ERASURE_BATCH = env.int("ERASURE_BATCH", default=500)
ERASURE_TASK_SECONDS = env.float("ERASURE_TASK_SECONDS", default=10.0)
ERASURE_REQUEST_SECONDS = env.float("ERASURE_REQUEST_SECONDS", default=20.0)
ERASURE_RESUME_SECONDS = env.float("ERASURE_RESUME_SECONDS", default=60.0)
ERASURE_RECEIPT_DAYS = env.int("ERASURE_RECEIPT_DAYS", default=730)
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=730)
# django-axes' records of sign-ins (username, address, browser) are kept this long.
SIGNIN_LOG_RETENTION_DAYS = env.int("SIGNIN_LOG_RETENTION_DAYS", default=90)
