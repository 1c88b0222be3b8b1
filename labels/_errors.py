"""Errors raised when a scanned or typed code is not a genuine label of this deployment.

Exception tree::

    CodeError
    ├── ForeignCode     not a code of this deployment (other scheme, host or path)
    ├── MalformedCode   right prefix, but the ID/key/tag part has the wrong shape
    ├── UnknownKey      well formed, but signed with a key id this deployment does not know
    └── BadTag          well formed, known key, but the tag does not match (forged or mistyped)
"""

from __future__ import annotations


class CodeError(ValueError):
    """Base class: the text is not a valid asset code of this deployment."""


class ForeignCode(CodeError):
    """The text is not a code of this deployment (other scheme, host or path)."""


class MalformedCode(CodeError):
    """The ID, key id or tag does not have the required shape."""


class UnknownKey(CodeError):
    """The code names a key id that this deployment cannot verify."""


class BadTag(CodeError):
    """The tag does not match the ID: the code is forged or mistyped."""
