"""Test photos of real labels: rendered by the labels library, composed like a phone shot."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageFilter

import labels
from tests.conftest import TEST_KEYS

TEST_HOST = "CUSTODY.NANHU.JIAXING.CN"
IDENTITY = labels.IdentityScheme(TEST_HOST, TEST_KEYS, "A")
KIND_OF = {"B": "bag", "N": "bin", "S": "booth", "R": "transfer_room", "V": "vehicle",
           "F": "facility"}


def label_image(asset_id: str, category: str | None = None) -> Image.Image:
    """One printed label for an asset of the test deployment."""
    data = labels.LabelData(IDENTITY.make_code(asset_id), asset_id, KIND_OF[asset_id[0]],
                            category, "凤桥村")
    return Image.open(io.BytesIO(labels.png_label(data, dpi=200))).convert("RGB")


def phone_photo(*asset_ids: str, seed: int = 0, exif: bytes | None = None,
                extra_codes: tuple[str, ...] = ()) -> bytes:
    """A 1600x1200 JPEG with the labels of these assets on a textured background."""
    rng = random.Random(seed)
    photo = Image.new("RGB", (1600, 1200), (118, 112, 96))
    noise = Image.effect_noise((1600, 1200), 24).convert("RGB")
    photo = Image.blend(photo, noise, 0.25)
    images = [label_image(a) for a in asset_ids]
    for text in extra_codes:
        import segno

        buf = io.BytesIO()
        segno.make(text, error="q").save(buf, kind="png", scale=8, border=4)
        images.append(Image.open(buf).convert("RGB"))
    x = 40
    for image in images:
        image = image.rotate(rng.uniform(-8, 8), expand=True, fillcolor=(118, 112, 96))
        photo.paste(image, (x, rng.randint(40, max(41, 1200 - image.height - 40))))
        x += image.width + 30
    photo = photo.filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=85, **({"exif": exif} if exif else {}))
    return out.getvalue()
