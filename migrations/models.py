"""Import every models module so Base.metadata knows every table."""

from __future__ import annotations

from core import models as core_models
from core.db import Base
from kb_links import models as kb_links_models
from onboarding import models as onboarding_models
from onboarding.slack import models as slack_models
from onboarding.webhooks import models as webhook_models
from rotation import models as rotation_models

__all__ = [
    "Base",
    "core_models",
    "kb_links_models",
    "onboarding_models",
    "rotation_models",
    "slack_models",
    "webhook_models",
]
