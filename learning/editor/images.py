"""Images for course text: checked by their content (never their file name), stored in the database."""

from __future__ import annotations

import hashlib
import io
import re
import warnings

from PIL import Image as PILImage
from PIL import UnidentifiedImageError
from sqlalchemy import select

from learning.accounts.models import User
from learning.editor.models import Image
from learning.extensions import add_unique, db
from learning.transactions import write_transaction

# Pillow's format name -> (content type, file extension). SVG is refused: it can carry scripts.
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 40_000_000
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}\.(png|jpg|webp)$")


class ImageRefused(ValueError):
    """The upload is not an image we serve; the message is for the editor."""


def megabytes(size: int) -> str:
    """A size in MB the Swedish way, with a decimal comma."""
    return f"{size / 1_000_000:.1f}".replace(".", ",")


def image_name(filename: str, extension: str) -> str:
    """A safe name from the uploaded file's name, with the extension of what the content really is."""
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0].lower()
    for a, b in (("å", "a"), ("ä", "a"), ("ö", "o"), ("é", "e")):
        stem = stem.replace(a, b)
    stem = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:100] or "bild"
    return f"{stem}.{extension}"


def inspect(data: bytes, max_bytes: int) -> tuple[str, str, int, int]:
    """(content type, extension, width, height) of a PNG, JPEG or WebP; ImageRefused for anything else."""
    if not data:
        raise ImageRefused("Filen är tom.")
    if len(data) > max_bytes:
        raise ImageRefused(f"Bilden är för stor: högst {megabytes(max_bytes)} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as probe:
                kind, (width, height) = probe.format, probe.size
                probe.verify()
            with PILImage.open(io.BytesIO(data)) as full:
                full.load()  # verify() does not decode the pixels; a truncated file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, PILImage.DecompressionBombError,
            PILImage.DecompressionBombWarning):
        head = data[:1024].lstrip().lower()
        if head.startswith(b"<?xml") or b"<svg" in head:
            raise ImageRefused("SVG-bilder tas inte emot eftersom de kan innehålla skript. "
                               "Spara bilden som PNG och ladda upp den.") from None
        raise ImageRefused("Filen är inte en bild i formatet PNG, JPEG eller WebP, eller så är den skadad.") from None
    if kind not in FORMATS:
        raise ImageRefused("Bara bilder i formaten PNG, JPEG och WebP tas emot.")
    if width * height > MAX_PIXELS:
        raise ImageRefused("Bilden har för många bildpunkter.")
    content_type, extension = FORMATS[kind]
    return content_type, extension, width, height


def store(filename: str, data: bytes, user: User, max_bytes: int) -> Image:
    """Check and keep an uploaded image under a name derived from its file name."""
    content_type, extension, width, height = inspect(data, max_bytes)  # decoding: before the write transaction
    image = Image(name=image_name(filename, extension), content_type=content_type, data=data,
                  sha256=hashlib.sha256(data).hexdigest(), width=width, height=height, uploaded_by=user.id)
    return _insert(image)


@write_transaction
def _insert(image: Image) -> Image:
    if not add_unique(image):
        raise ImageRefused(f"Det finns redan en bild som heter {image.name}. Byt namn på filen och ladda upp den igen.")
    return image


def by_name(name: str) -> Image | None:
    """The image with this name, if any."""
    if not NAME_RE.match(name):
        return None
    return db.session.scalar(select(Image).filter_by(name=name))


def listing() -> list[tuple[str, int, int]]:
    """Every image's name and size, newest first (without loading the pictures)."""
    return list(db.session.execute(select(Image.name, Image.width, Image.height).order_by(Image.id.desc())).all())
