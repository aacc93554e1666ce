"""Interface names of sections, in the visitor's language (msgids in English)."""

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
# Language names in the visitor's language (the switcher uses each language's own name).
LANGUAGE_LABELS = {"vi": _l("Vietnamese"), "en": _l("English")}
OG_LOCALES = {"vi": "vi_VN", "en": "en_GB"}
