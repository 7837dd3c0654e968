"""Images: checked by content, stored in the database, served inert, and used from Markdown with alt text."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image as PILImage
from sqlalchemy import func, select

from learning.editor.models import Image
from learning.extensions import db
from tests.editor_builders import edit_form, editor_client, file_id, submit
from tests.helpers import csrf_token

SVG = b"""<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">
<script>alert(2)</script><circle r="4"/></svg>"""


def picture(fmt: str = "PNG", size=(12, 8)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def upload(client, data: bytes, filename: str):
    token = csrf_token(client, "/redaktor/bilder")
    return client.post("/redaktor/bilder", data={"csrf_token": token, "image": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Image.id)))


@pytest.mark.parametrize(("fmt", "content_type", "name"), [
    ("PNG", "image/png", "samtal.png"), ("JPEG", "image/jpeg", "samtal.jpg"), ("WEBP", "image/webp", "samtal.webp"),
])
def test_an_uploaded_image_is_served_with_its_checked_type_and_inert_headers(app, client, learner, fmt, content_type, name):
    editor = editor_client(app)
    response = upload(editor, picture(fmt), "Samtal.bild")  # the file name's ending says nothing
    assert response.status_code == 302
    assert f"Bilden {name} är uppladdad" in editor.get(response.location).get_data(as_text=True)
    served = client.get(f"/bilder/{name}")
    assert served.status_code == 200 and served.data == picture(fmt)
    assert served.headers["Content-Type"] == content_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert app.test_client().get(f"/bilder/{name}").status_code == 302  # signed-out visitors are sent to sign in


@pytest.mark.parametrize(("data", "filename", "message"), [
    (SVG, "bild.png", "SVG-bilder tas inte emot"),
    (SVG.replace(b'<?xml version="1.0"?>', b""), "bild.svg", "SVG-bilder tas inte emot"),
    (b"<html><script>alert(1)</script></html>", "bild.png", "Filen är inte en bild i formatet PNG, JPEG eller WebP"),
    (picture()[:40], "trasig.png", "eller så är den skadad"),
    (picture("GIF"), "rorlig.gif", "Bara bilder i formaten PNG, JPEG och WebP"),
    (b"", "tom.png", "Filen är tom."),
])
def test_anything_but_a_whole_png_jpeg_or_webp_is_refused(app, data, filename, message):
    editor = editor_client(app)
    response = upload(editor, data, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert 'aria-describedby="image-hjalp image-fel"' in page
    assert _stored(app) == 0


def test_size_cap_and_duplicate_names(app):
    editor = editor_client(app)
    app.config["EDITOR_IMAGE_MAX_BYTES"] = 200_000
    big = picture("PNG", (1, 1)) + b"\0" * 200_000  # what counts is the size of the upload
    assert "Bilden är för stor: högst 0,2 MB." in upload(editor, big, "stor.png").get_data(as_text=True)
    assert upload(editor, picture(), "karta.png").status_code == 302
    response = upload(editor, picture("PNG", (5, 5)), "karta.png")
    assert response.status_code == 400 and "Det finns redan en bild som heter karta.png" in response.get_data(as_text=True)
    assert _stored(app) == 1


def test_markdown_uses_an_image_by_name_and_alt_text_is_required(app, client, learner):
    editor = editor_client(app)
    upload(editor, picture(), "samtal.png")
    fid = file_id(app)
    form = edit_form(editor, fid)
    without_alt = form["markdown"].replace("## Det här lär du dig", "## Det här lär du dig\n\n![](samtal.png)", 1)
    response = submit(editor, fid, form, "publish", markdown=without_alt, message="Bild")
    assert response.status_code == 400 and '<li><a href="#markdown" class="goto-line" data-line="10">Rad 10: Bilden saknar alt-text' in response.get_data(as_text=True)

    with_alt = without_alt.replace("![](samtal.png)", "![Två kollegor samtalar](samtal.png)")
    assert submit(editor, fid, form, "publish", markdown=with_alt, message="Bild").status_code == 302
    page = client.get("/kurs/grundkurs/del-1").get_data(as_text=True)
    assert '<img alt="Två kollegor samtalar" src="/bilder/samtal.png">' in page
    assert client.get("/bilder/samtal.png").status_code == 200
    assert re.search(r'<img src="/bilder/samtal.png" alt="Miniatyr av samtal.png"',
                     editor.get("/redaktor/bilder").get_data(as_text=True))


def test_an_oversized_request_is_refused_before_it_is_read(app):
    editor = editor_client(app)
    # A raw body (not multipart) just over the default cap: refused from its Content-Length, nothing stored.
    too_big = b"x" * (8_000_000 + 1)
    response = editor.post("/redaktor/bilder", data=too_big, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "Det du skickade är för stort." in response.get_data(as_text=True)
    assert _stored(app) == 0
