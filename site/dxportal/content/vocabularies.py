"""The fixed lists some section fields choose from, with their names in the visitor's language.

Content files use the keys (English, lowercase); pages show the translated names.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PILLARS = {
    "digital-government": _l("Digital government"),
    "digital-economy": _l("Digital economy"),
    "digital-society": _l("Digital society"),
    "infrastructure": _l("Digital infrastructure"),
    "human-resources": _l("Digital human resources"),
    "cybersecurity": _l("Cybersecurity"),
}
AUDIENCES = {
    "officials": _l("Officials and public servants"),
    "students": _l("Pupils and students"),
    "citizens": _l("Citizens"),
    "enterprises": _l("Enterprises"),
}
MATERIAL_KINDS = {
    "poster": _l("Poster"),
    "leaflet": _l("Leaflet"),
    "infographic": _l("Infographic"),
    "video": _l("Video"),
    "slides": _l("Slide deck"),
}
DOCUMENT_TYPES = {
    "resolution": _l("Resolution"),
    "decision": _l("Decision"),
    "plan": _l("Plan"),
    "regulation": _l("Regulation"),
    "report": _l("Report"),
}
# Plural names, for headings of filtered lists.
DOCUMENT_TYPES_PLURAL = {
    "resolution": _l("Resolutions"),
    "decision": _l("Decisions"),
    "plan": _l("Plans"),
    "regulation": _l("Regulations"),
    "report": _l("Reports"),
}
