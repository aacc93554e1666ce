"""An upload from the page form: stored, and its Markdown put into the text.

Without JavaScript the form is posted whole: the Markdown is added at the end of the text and
shown in a field to copy. The form's script posts the same fields asking for JSON, and puts the
Markdown at the caret itself (editor.js), so the answer is only the file's name and Markdown, or
the problems in the editor's language.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, jsonify, request
from flask_babel import gettext

from dxportal.editor import saving
from dxportal.editor.forms import ERROR, PageForm
from dxportal.editor.uploads import UploadRefused
from dxportal.messages import Message


def upload_into(form: PageForm, root: Path, store) -> dict | None:
    """Store the uploaded file and add its Markdown to the end of the text (not saved yet)."""
    upload = request.files.get("upload")
    text = " ".join(request.form.get("upload_text", "").split())
    if upload is None or not upload.filename:
        form.general_problems.append((ERROR, Message("choose a file to upload")))
        return None
    try:
        name, extension = saving.upload(
            root,
            upload.filename,
            upload.stream,
            current_app.config["DXPORTAL_EDITOR_MAX_UPLOAD"],
            text,
        )
        store.invalidate()
    except UploadRefused as refused:
        form.general_problems.append((ERROR, refused.message))
        return None
    is_image = extension != "pdf"
    snippet = f"![{text}](/media/{name})" if is_image else f"[{text or name}](/media/{name})"
    form.body = (form.body.rstrip("\n") + "\n\n" + snippet).strip("\n")
    return {"name": name, "snippet": snippet}


def wants_json() -> bool:
    """The form's script asks for JSON; a browser's own form post asks for HTML."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def json_answer(uploaded: dict | None, problems: list):
    if uploaded is not None:
        return jsonify(uploaded)
    return jsonify(problems=[message.render(gettext) for _, message in problems]), 422
