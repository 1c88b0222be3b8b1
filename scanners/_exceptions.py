"""Every error the scanner raises.

Tree::

    ScanError                  anything the scanner refuses or fails to do
    ├── ImageRefused           the bytes are not an image we will decode
    │   ├── EmptyImage         zero bytes
    │   ├── NotAnImage         not a JPEG, PNG, WebP or HEIC file
    │   ├── TruncatedImage     the file ends before the picture does
    │   └── ImageTooLarge      more pixels than allowed (read from the header)
    └── DecodeFailed           an isolated worker could not finish
        ├── DecoderCrashed     the worker died (segfault, abort, out of memory)
        └── DecodeTimeout      the worker took longer than allowed

A photo in which no code is found is not an error: ``decode`` returns ``[]``.
"""

from __future__ import annotations

__all__ = [
    "DecodeFailed",
    "DecodeTimeout",
    "DecoderCrashed",
    "EmptyImage",
    "ImageRefused",
    "ImageTooLarge",
    "NotAnImage",
    "ScanError",
    "TruncatedImage",
]


class ScanError(Exception):
    """Base class of every scanner error."""


class ImageRefused(ScanError):
    """The input is refused before any decoder sees it."""


class EmptyImage(ImageRefused):
    """The file is empty."""


class NotAnImage(ImageRefused):
    """The bytes are not an image in a supported format."""


class TruncatedImage(ImageRefused):
    """The image file is cut short."""


class ImageTooLarge(ImageRefused):
    """The header announces more pixels than the configured limit."""


class DecodeFailed(ScanError):
    """An isolated decode did not complete; only this photo is affected."""


class DecoderCrashed(DecodeFailed):
    """The worker process died while decoding this photo."""


class DecodeTimeout(DecodeFailed):
    """The worker process exceeded its time limit and was killed."""
