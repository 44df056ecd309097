"""monitoring's follow-ups, by registered task name (common.pipeline): services queue these,
monitoring/tasks.py registers the tasks of these names. A leaf module: it imports no service.

`fallback=HERE`: when no broker takes the task it runs in the process that queued it — no
sweep would derive an integrity recompute again. The rest are derived again by a sweep
(analyses: reconcile_analyses; erasure steps: erasure_resume; objects: the orphan sweep).
"""

from common.pipeline import HERE, followup

ANALYZE_IMAGE = followup("monitoring.analyze_image")
ANNOUNCE_SNAPSHOT = followup("monitoring.announce_snapshot")
DELETE_OBJECT = followup("monitoring.delete_object")
INTEGRITY_FRAME = followup("monitoring.integrity_frame")
INTEGRITY_FRAME_REMOVED = followup("monitoring.integrity_frame_removed", fallback=HERE)
INTEGRITY_EVENT = followup("monitoring.integrity_event", fallback=HERE)
INTEGRITY_CAMERA = followup("monitoring.integrity_camera", fallback=HERE)
REBUILD_INTEGRITY = followup("monitoring.rebuild_integrity", fallback=HERE)
RECONCILE_ANALYSES = followup("monitoring.reconcile_analyses")
# A new selfie: the frames captured before it (or matched with an older one) are matched now.
IDENTITY_MATCH_FRAMES = followup("monitoring.identity_match_frames", fallback=HERE)
# An organization's identity_check or identity_threshold changed: frames and incidents follow.
IDENTITY_SETTINGS_CHANGED = followup("monitoring.identity_settings_changed", fallback=HERE)
ERASURE_RUN = followup("monitoring.erasure_run")
RETENTION_SWEEP = followup("monitoring.retention_sweep")
