"""The one exception a deploy raises for bad input: a translatable one-line message."""

from __future__ import annotations

from dxportal.messages import Message


class DeployError(Exception):
    """Nothing was published; ``message`` names the problem and the fix."""

    def __init__(self, message: Message):
        super().__init__(message.render())
        self.message = message
