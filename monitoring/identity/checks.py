from importlib.util import find_spec

from django.core.checks import Warning, register

NEEDED = ("dlib", "face_recognition_models", "numpy")


@register()
def face_templates_installed(app_configs, **kwargs):
    """Identity checks need dlib and its models; without them the analysis still runs (frames
    are left unmatched) and identity photos are refused (503), so this only warns. Looks for
    the packages without loading the models (that happens once per process, on first use)."""
    missing = [name for name in NEEDED if find_spec(name) is None]
    if not missing:
        return []
    return [
        Warning(
            f"Face templates are unavailable ({', '.join(missing)} not installed): identity "
            "photos are refused and camera frames are not matched.",
            hint="pip install dlib-bin face-recognition-models numpy (see requirements.txt), "
            "or set every organization's identity_check to off.",
            id="monitoring.W002",
        )
    ]
