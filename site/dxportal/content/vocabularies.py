"""The fixed lists some section fields choose from (content files use these keys).

Their names in the visitor's language are in web/labels.py.
"""

from __future__ import annotations

PILLARS = (
    "digital-government",
    "digital-economy",
    "digital-society",
    "infrastructure",
    "human-resources",
    "cybersecurity",
)
AUDIENCES = (
    "officials",
    "students",
    "citizens",
    "enterprises",
)
MATERIAL_KINDS = (
    "poster",
    "leaflet",
    "infographic",
    "video",
    "slides",
)
DOCUMENT_TYPES = (
    "resolution",
    "decision",
    "plan",
    "regulation",
    "report",
)
