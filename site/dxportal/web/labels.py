"""Names shown to visitors: sections, vocabularies and languages (msgids in English)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SECTION_TITLES = {
    "news": _l("News"),
    "goals": _l("Goals and progress"),
    "training": _l("Training"),
    "outreach": _l("Outreach materials"),
    "documents": _l("Documents"),
    "pages": _l("Pages"),
}
SECTION_DESCRIPTIONS = {
    "news": _l("Meetings, decisions and events of the digital transformation programme."),
    "goals": _l("The province's digital transformation targets and how far it has come."),
    "training": _l("Courses and calls for officials, students, citizens and enterprises."),
    "outreach": _l("Posters, leaflets and infographics to download and share."),
    "documents": _l("Resolutions, plans, decisions and monthly reports of the programme."),
    "pages": _l("About the programme."),
}
# Each language's own name, for the language switcher (content/schema.py has their names
# in the visitor's language).
OWN_LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
OG_LOCALES = {"vi": "vi_VN", "en": "en_GB"}

# The names of the keys in content/vocabularies.py.
PILLAR_NAMES = {
    "digital-government": _l("Digital government"),
    "digital-economy": _l("Digital economy"),
    "digital-society": _l("Digital society"),
    "infrastructure": _l("Digital infrastructure"),
    "human-resources": _l("Digital human resources"),
    "cybersecurity": _l("Cybersecurity"),
}
AUDIENCE_NAMES = {
    "officials": _l("Officials and public servants"),
    "students": _l("Pupils and students"),
    "citizens": _l("Citizens"),
    "enterprises": _l("Enterprises"),
}
MATERIAL_KIND_NAMES = {
    "poster": _l("Poster"),
    "leaflet": _l("Leaflet"),
    "infographic": _l("Infographic"),
    "video": _l("Video"),
    "slides": _l("Slide deck"),
}
DOCUMENT_TYPE_NAMES = {
    "resolution": _l("Resolution"),
    "decision": _l("Decision"),
    "plan": _l("Plan"),
    "regulation": _l("Regulation"),
    "report": _l("Report"),
}
# Plural names, for headings of filtered lists.
DOCUMENT_TYPE_PLURALS = {
    "resolution": _l("Resolutions"),
    "decision": _l("Decisions"),
    "plan": _l("Plans"),
    "regulation": _l("Regulations"),
    "report": _l("Reports"),
}
