"""The programme sections' own fields: valid values load, mistakes name file and line."""

from __future__ import annotations

import datetime as dt

import pytest

from dxportal.content.errors import ContentError
from dxportal.content.loader import load_content

GOAL = """\
---
title: Mục tiêu
date: 2021-03-15
pillar: digital-government
indicator: Tỷ lệ hồ sơ trực tuyến
unit: "%"
baseline: {year: 2020, value: 3}
target: {year: 2025, value: 50}
measurements:
  - {date: 2021-12-31, value: 8, source: Ví dụ}
  - {date: 2022-12-31, value: 18}
---

Nội dung.
"""
TRAINING = """\
---
title: Khóa học
date: 2021-05-10
audience: [officials, students]
start: 2021-06-07 14:00
end: 2021-06-11
deadline: 2021-05-31
location: online
organiser: Sở Thông tin và Truyền thông
registration: https://example.org/dang-ky
capacity: 100
---

Nội dung.
"""
OUTREACH = """\
---
title: Áp phích
date: 2021-03-20
kind: poster
audience: citizens
files:
  - {path: poster.png, title: Áp phích, format: PNG}
---

Nội dung.
"""
DOCUMENT = """\
---
title: Báo cáo
date: 2021-04-05
number: "VD-03/2021"
type: report
issuer: Sở Thông tin và Truyền thông
signed: 2021-04-05
effective: 2021-04-05
file: report.pdf
---

Nội dung.
"""
MEDIA = {
    "media/poster.png": bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a3e9b3a10000000049454e44ae426082"
    ),
    "media/not-an-image.png": b"%PDF-1.4",
    "media/report.pdf": b"pdf",
}


def problems_of(root) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(root)
    return [str(p).replace(f"{root}/", "") for p in caught.value.problems]


def test_valid_section_fields_are_converted(make_content):
    root = make_content({
        "goals/g.vi.md": GOAL, "training/t.vi.md": TRAINING,
        "outreach/o.vi.md": OUTREACH, "documents/d.vi.md": DOCUMENT, **MEDIA,
    })  # fmt: skip
    site = load_content(root)
    goal = site.entry("goals", "g").version("vi").meta
    assert goal["baseline"] == {"year": 2020, "value": 3}
    assert [m["value"] for m in goal["measurements"]] == [8, 18]
    assert goal["measurements"][0]["date"] == dt.date(2021, 12, 31)
    call = site.entry("training", "t").version("vi").meta
    assert call["audience"] == ("officials", "students")
    assert call["start"] == dt.datetime(2021, 6, 7, 14, 0)
    assert call["capacity"] == 100
    material = site.entry("outreach", "o").version("vi").meta
    assert material["audience"] == ("citizens",)
    assert material["files"][0]["path"] == "poster.png"
    document = site.entry("documents", "d").version("vi").meta
    assert (document["type"], document["number"]) == ("report", "VD-03/2021")


@pytest.mark.parametrize(
    ("name", "text", "old", "new", "expected"),
    [
        ("goals", GOAL, "pillar: digital-government", "pillar: chinh-quyen-so",
         "goals/x.vi.md:4: 'pillar' must be one of: digital-government, digital-economy, "
         "digital-society, infrastructure, human-resources, cybersecurity (got 'chinh-quyen-so')"),
        ("goals", GOAL, "value: 18}", "value: mười tám}",
         "goals/x.vi.md:9: 'measurements' measurement 2: 'value' must be a number "
         "(got 'mười tám')"),
        ("goals", GOAL, "{date: 2021-12-31, value: 8, source: Ví dụ}", "{value: 8}",
         "goals/x.vi.md:9: 'measurements' measurement 1: needs 'date'"),
        ("goals", GOAL, "{date: 2022-12-31, value: 18}", "{date: 2022-12-31, vaule: 18}",
         "goals/x.vi.md:9: 'measurements' measurement 2: has an unknown field 'vaule'; "
         "allowed: date, value, source"),
        ("goals", GOAL, "baseline: {year: 2020, value: 3}", "baseline: 3",
         "goals/x.vi.md:7: 'baseline' must be a group of fields: year, value"),
        ("goals", GOAL, "target: {year: 2025, value: 50}", "target: {year: 2019, value: 50}",
         "goals/x.vi.md:8: the target year is before the baseline year"),
        ("training", TRAINING, "end: 2021-06-11", "end: 2021-06-01",
         "training/x.vi.md:6: 'end' is before 'start'"),
        ("training", TRAINING, "audience: [officials, students]", "audience: [officials, farmers]",
         "training/x.vi.md:4: 'audience' must be one of: officials, students, citizens, "
         "enterprises (got 'farmers')"),
        ("training", TRAINING, "registration: https://example.org/dang-ky",
         "registration: example.org",
         "training/x.vi.md:10: 'registration' must be a web address starting with https:// "
         "(got 'example.org')"),
        ("training", TRAINING, "registration: https://example.org/dang-ky\n", "",
         "training/x.vi.md:1: a training call needs 'registration' (a web address) or 'contact'"),
        ("training", TRAINING, "capacity: 100", "capacity: -5",
         "training/x.vi.md:11: 'capacity' must be a whole number above 0 (got -5)"),
        ("outreach", OUTREACH, "kind: poster", "kind: banner",
         "outreach/x.vi.md:4: 'kind' must be one of: poster, leaflet, infographic, video, slides "
         "(got 'banner')"),
        ("outreach", OUTREACH, "path: poster.png", "path: missing.png",
         "outreach/x.vi.md:6: file 1: 'missing.png' is not in content/media/"),
        ("outreach", OUTREACH, "path: poster.png", "path: not-an-image.png",
         "outreach/x.vi.md:6: file 1: 'not-an-image.png' is not a readable image; save it "
         "again as PNG or JPEG"),
        ("outreach", OUTREACH, ", title: Áp phích", "",
         "outreach/x.vi.md:6: 'files' file 1: needs 'title'"),
        ("documents", DOCUMENT, "type: report", "type: letter",
         "documents/x.vi.md:5: 'type' must be one of: resolution, decision, plan, regulation, "
         "report (got 'letter')"),
        ("documents", DOCUMENT, "file: report.pdf", "file: ../secret.pdf",
         "documents/x.vi.md:9: 'file' must be a file name inside content/media/, e.g. poster.png"),
        ("documents", DOCUMENT, "file: report.pdf", "file: gone.pdf",
         "documents/x.vi.md:9: file 'gone.pdf' is not in content/media/"),
        ("documents", DOCUMENT, "effective: 2021-04-05", "effective: 2021-04-01",
         "documents/x.vi.md:8: 'effective' is before 'signed'"),
    ],
)  # fmt: skip
def test_invalid_section_fields_are_reported_with_file_and_line(
    make_content, name, text, old, new, expected
):
    assert old in text
    root = make_content({f"{name}/x.vi.md": text.replace(old, new), **MEDIA})
    assert problems_of(root) == [expected]


def test_required_section_fields_are_named(make_content):
    root = make_content({"goals/x.vi.md": "---\ntitle: Mục tiêu\ndate: 2021-01-01\n---\n"})
    missing = [p.rsplit("'", 2)[1] for p in problems_of(root)]
    assert missing == ["baseline", "indicator", "pillar", "target", "unit"]
