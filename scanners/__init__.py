"""Photo bytes -> the QR codes in it: a library with no Flask and no database.

``decode(photo)`` returns every code in a photo: zxing-cpp on the full photo, then
fallbacks (crops of unread symbols, the WeChat CNN, CLAHE, gamma) while they can pay;
``read_photo(photo)`` returns the codes and the EXIF metadata from one parse;
``IsolatedScanner`` does the same in worker processes that may crash or hang
without taking the caller down; ``read_photo_metadata`` reads EXIF time, GPS
and camera (values that cannot be used are left out and named in
``PhotoMetadata.ignored``, never an error). All errors derive from ``ScanError``.
"""

from ._decode import PhotoContents, decode, read_photo
from ._engines import (
    Decoded,
    Engine,
    OpenCVEngine,
    Reading,
    ZbarEngine,
    ZxingEngine,
    default_engines,
)
from ._exceptions import (
    DecodeFailed,
    DecoderCrashed,
    DecodeTimeout,
    EmptyImage,
    ImageRefused,
    ImageTooLarge,
    NotAnImage,
    ScanError,
    TruncatedImage,
)
from ._fake import FakeEngine
from ._image import DEFAULT_MAX_PIXELS
from ._isolation import IsolatedScanner
from ._metadata import PhotoMetadata, read_photo_metadata
from ._wechat import WeChatEngine

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "DecodeFailed",
    "DecodeTimeout",
    "Decoded",
    "DecoderCrashed",
    "EmptyImage",
    "Engine",
    "FakeEngine",
    "ImageRefused",
    "ImageTooLarge",
    "IsolatedScanner",
    "NotAnImage",
    "OpenCVEngine",
    "PhotoContents",
    "PhotoMetadata",
    "Reading",
    "ScanError",
    "TruncatedImage",
    "WeChatEngine",
    "ZbarEngine",
    "ZxingEngine",
    "decode",
    "default_engines",
    "read_photo",
    "read_photo_metadata",
]
