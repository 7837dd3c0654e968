"""Uploading images (editors) and serving them (signed-in users) with headers that keep them inert."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from learning.editor import images
from learning.editor.forms import ImageForm
from learning.editor.views import bp, editor_required

media_bp = Blueprint("images", __name__, url_prefix="/bilder")


@bp.route("/bilder", methods=["GET", "POST"])
@editor_required
def upload_image():
    """Upload an image and list those already uploaded, with the Markdown to use each."""
    cap = current_app.config["EDITOR_IMAGE_MAX_BYTES"]
    form = ImageForm()
    if form.validate_on_submit():
        upload = form.image.data
        try:
            with upload.stream:
                data = upload.stream.read(cap + 1)
            image = images.store(upload.filename or "", data, current_user, cap)
        except images.ImageRefused as exc:
            form.image.errors.append(str(exc))
        else:
            flash(f"Bilden {image.name} är uppladdad. Skriv ![Beskriv det viktiga i bilden]({image.name}) i texten.",
                  "success")
            return redirect(url_for("editor.upload_image"))
    return render_template("editor/images.html", form=form, images=images.listing(),
                           max_mb=images.megabytes(cap)), 400 if form.errors else 200


@media_bp.get("/<name>")
@login_required
def show(name: str):
    """An uploaded image: its checked type, never sniffed, never run as a document."""
    image = images.by_name(name)
    if image is None:
        abort(404)
    response = make_response(image.data)
    response.headers["Content-Type"] = image.content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Disposition"] = f'inline; filename="{image.name}"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.set_etag(image.sha256)
    return response
