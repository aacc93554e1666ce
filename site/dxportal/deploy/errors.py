"""The one exception a deploy raises for bad input: a translatable one-line message."""

from __future__ import annotations

from dxportal.messages import MessageError


class DeployError(MessageError):
    """Nothing was published; ``message`` names the problem and the fix."""
