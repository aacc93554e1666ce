"""Goals, training calls, outreach materials and documents as visitors see them."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json

import icalendar
import pytest
from PIL import Image

from dxportal import create_app
from dxportal.programme.training import CLOSED, CLOSING_SOON_STATUS, OPEN, call_status

from conftest import SITE_YML, TAGS_YML, page_text, parse

SITE_TZ = dt.timezone(dt.timedelta(hours=7))


@functools.cache
def png_bytes(width: int = 1000, height: int = 1400) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (11, 94, 85, 255)).save(out, "PNG")
    return out.getvalue()


def goal(title, pillar, baseline, target, measurements, unit="%"):
    rows = "".join(f"  - {{date: {d}, value: {v}, source: Ví dụ}}\n" for d, v in measurements)
    return (
        f"---\ntitle: {title}\ndate: 2021-03-15\npillar: {pillar}\nindicator: Chỉ số {title}\n"
        f'unit: "{unit}"\nbaseline: {{year: {baseline[0]}, value: {baseline[1]}}}\n'
        f"target: {{year: {target[0]}, value: {target[1]}}}\n"
        + (f"measurements:\n{rows}" if measurements else "")
        + "related_tags: [ban-chi-dao]\n---\n\nNội dung.\n"
    )


def call(title, deadline, start="2027-01-15 08:00", end="2027-02-05 11:00", **extra):
    lines = [
        "---", f"title: '{title}'", "date: 2026-11-01", "audience: [students, citizens]",
        f"start: {start}", f"end: {end}", f"deadline: {deadline}", "location: Nhà Văn hóa",
        "organiser: Sở Thông tin và Truyền thông", "registration: https://example.org/dk",
    ]  # fmt: skip
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines + ["---", "", "Nội dung.", ""])


def material(title, kind, audience, files):
    rows = "".join(f"  - {{path: {p}, title: Tệp {p}}}\n" for p in files)
    return (
        f"---\ntitle: {title}\ndate: 2021-03-20\nkind: {kind}\naudience: [{audience}]\n"
        f"files:\n{rows}---\n\nNội dung.\n"
    )


def document(title, doc_type, signed, number, file=None):
    extra = f"file: {file}\n" if file else ""
    signed_line = f"signed: {signed}\n" if signed else ""
    return (
        f"---\ntitle: {title}\ndate: 2021-04-05\nnumber: '{number}'\ntype: {doc_type}\n"
        f"issuer: Sở Thông tin và Truyền thông\n{signed_line}{extra}---\n\nNội dung.\n"
    )


NEWS = "---\ntitle: Tin liên quan\ndate: 2021-03-03\ntags: [ban-chi-dao]\n---\n\nTin.\n"


@pytest.fixture(scope="module")
def programme(tmp_path_factory):
    """One site with every kind of programme page, seen at 2026-11-26 09:00 in Vietnam."""
    root = write_content(tmp_path_factory.mktemp("programme"), {
        "news/tin.vi.md": NEWS,
        "goals/ho-so.vi.md": goal("Hồ sơ trực tuyến", "digital-government", (2020, 3),
                                  (2025, 50), [("2022-12-31", 18), ("2021-12-31", 8)]),
        "goals/ho-so.en.md": goal("Online applications", "digital-government", (2020, 3),
                                  (2025, 50), [("2022-12-31", 18), ("2021-12-31", 8)]),
        "goals/nhan-luc.vi.md": goal("Nhân lực số", "human-resources", (2021, 0), (2025, 5000),
                                     [("2022-06-30", 1500)], unit="người"),
        "goals/chua-do.vi.md": goal("Chưa đo", "digital-economy", (2021, 10), (2025, 0), []),
        "training/mo.vi.md": call("Lớp còn mở", "2027-01-08"),
        "training/sap-het.vi.md": call("Lớp sắp hết hạn", "2026-12-01"),
        "training/da-dong.vi.md": call("Lớp đã đóng", "2021-05-31", start="2021-06-07",
                                       end="2021-06-11"),
        "training/da-dong.en.md": call("Closed class", "2021-05-31", start="2021-06-07",
                                       end="2021-06-11"),
        "outreach/ap-phich.vi.md": material("Áp phích", "poster", "citizens", ["ap-phich.svg"]),
        "outreach/to-roi.vi.md": material("Tờ rơi", "leaflet", "students",
                                          ["to-roi.png", "to-roi.pdf"]),
        "documents/bao-cao-3.vi.md": document("Báo cáo tháng 3", "report", "2021-04-05",
                                              "03/BC", "bao-cao.pdf"),
        "documents/bao-cao-4.vi.md": document("Báo cáo tháng 4", "report", "2021-05-03",
                                              "04/BC"),
        "documents/nghi-quyet.vi.md": document("Nghị quyết", "resolution", "2020-10-01",
                                               "01-NQ"),
        "documents/ke-hoach.vi.md": document("Kế hoạch", "plan", None, "KH"),
        "outreach/video.vi.md": "---\ntitle: Video\ndate: 2021-03-01\nkind: video\n"
                                "video: https://example.com/video\n---\n\nVideo.\n",
        "media/ap-phich.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>',
        "media/to-roi.png": png_bytes(),
        "media/to-roi.pdf": b"%PDF-1.4\n" + b"x" * 5000,
        "media/bao-cao.pdf": b"%PDF-1.4\n" + b"x" * 250_000,
    })  # fmt: skip
    app = create_app({
        "DXPORTAL_CONTENT_DIR": str(root), "DXPORTAL_NOW": "2026-11-26T09:00:00+07:00",
        "TESTING": True,
    })  # fmt: skip
    return app.test_client()


def write_content(folder, files: dict) -> object:
    """A content tree with the base files of conftest and ``files``."""
    root = folder / "content"
    base = {
        "site.yml": SITE_YML, "tags.yml": TAGS_YML,
        "pages/about.vi.md": page_text("Giới thiệu", date=None),
    }  # fmt: skip
    for relative, data in {**base, **files}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


# --- goals -------------------------------------------------------------------------------


def test_goals_are_grouped_by_pillar_with_progress_written_out(programme):
    html = parse(programme.get("/en/goals/"))
    assert [h.get_text() for h in html.select(".goal-group h2")] == [
        "Digital government", "Digital economy", "Digital human resources",
    ]  # fmt: skip
    card = html.select_one("#pillar-digital-government").find_parent("section")
    # (18 - 3) / (50 - 3) = 31.9 %: the bar and the numbers say the same.
    assert card.select_one(".goal-progress")["data-percent"] == "32"
    assert "32% of the way" in card.select_one(".goal-progress__percent").get_text()
    assert card.select_one(".goal-progress__latest").get_text(" ", strip=True).startswith("18%")
    assert card.select_one(".goal-progress__target").get_text() == "50% by 2025"
    assert card.select_one(".goal-progress__baseline").get_text() == "3% in 2020"
    assert card.select_one(".progress-bar__fill")["width"] == "31.91"
    people = html.select_one("#pillar-human-resources").find_parent("section")
    # Numbers follow the page's language, even in a page shown in Vietnamese only.
    assert people.select_one(".goal-progress__target").get_text() == "5,000 người by 2025"
    vietnamese = parse(programme.get("/vi/goals/"))
    target = vietnamese.select_one("#pillar-human-resources").find_parent("section")
    assert target.select_one(".goal-progress__target").get_text() == "5.000 người đến năm 2025"


def test_a_falling_target_without_measurements_shows_the_baseline(programme):
    html = parse(programme.get("/en/goals/chua-do/"))
    assert html.select_one(".goal-progress")["data-percent"] == "0"
    assert "no measurement yet" in html.select_one(".goal-progress__latest").get_text()
    assert "No measurement yet" in html.select_one("svg.chart desc").get_text()


def test_goal_chart_draws_the_measurements_in_order_and_to_scale(programme):
    html = parse(programme.get("/en/goals/ho-so/"))
    svg = html.select_one("figure svg.chart")
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert "Chỉ số Online applications" in svg.find("title", id=title_id).get_text()
    assert "18% on December 31, 2022" in svg.find("desc", id=desc_id).get_text()
    points = svg.select("circle.chart__point")
    assert [(p["data-date"], float(p["data-value"])) for p in points] == [
        ("2020-12-31", 3.0), ("2021-12-31", 8.0), ("2022-12-31", 18.0),
    ]  # fmt: skip
    top = float(svg["data-max"])
    assert top == 50
    # y grows downwards: the plot runs from y=24 (top value) to y=280 (zero).
    for point in points:
        expected = 24 + 256 * (1 - float(point["data-value"]) / top)
        assert float(point["cy"]) == pytest.approx(expected, abs=0.1)
    xs = [float(p["cx"]) for p in points]
    assert xs == sorted(xs)
    assert float(svg.select_one(".chart__target line")["data-value"]) == 50
    polyline = svg.select_one("polyline")["points"].split()
    assert polyline == [f"{p['cx']},{p['cy']}" for p in points]


def test_goal_page_lists_the_values_in_a_table_and_related_news(programme):
    html = parse(programme.get("/vi/goals/ho-so/"))
    rows = [
        [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        for tr in html.select(".goal-data tbody tr")
    ]
    assert [r[1] for r in rows] == ["3%", "8%", "18%", "50%"]
    assert rows[1][2] == "Ví dụ"
    assert [a.get_text() for a in html.select(".related-news .entry-card__title a")] == [
        "Tin liên quan"
    ]


# --- training ------------------------------------------------------------------------------


def page_with_deadline(make_content, deadline: str):
    from dxportal.content.loader import load_content

    root = make_content({"training/x.vi.md": call("X", deadline)})
    return load_content(root).entry("training", "x").version("vi")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-12-20T12:00:00+07:00", OPEN),  # weeks before
        ("2027-01-01T23:59:58+07:00", OPEN),  # 7 days and 1 second left
        ("2027-01-01T23:59:59+07:00", CLOSING_SOON_STATUS),  # 7 days left
        ("2027-01-08T23:59:00+07:00", CLOSING_SOON_STATUS),  # the last minute of the last day
        ("2027-01-09T00:00:00+07:00", CLOSED),  # the day after
        ("2027-01-08T17:00:00+00:00", CLOSED),  # midnight in Vietnam, afternoon in UTC
        ("2027-01-08T16:59:00+00:00", CLOSING_SOON_STATUS),
    ],
)
def test_training_status_before_near_and_after_the_deadline(make_content, now, expected):
    # A date-only deadline closes at the end of its day, Vietnam time (UTC+7).
    page = page_with_deadline(make_content, "2027-01-08")
    assert call_status(page, dt.datetime.fromisoformat(now)) == expected


def test_training_list_shows_open_calls_first_by_deadline_with_status(programme):
    html = parse(programme.get("/en/training/"))
    cards = html.select(".call-card")
    assert [c.select_one("h2").get_text() for c in cards] == [
        "Lớp sắp hết hạn", "Lớp còn mở", "Closed class",
    ]  # fmt: skip
    statuses = [c.select_one(".call-status") for c in cards]
    assert [s.get_text() for s in statuses] == [
        "Closing soon", "Registration open", "Registration closed",
    ]  # fmt: skip
    # Without JS the deadline is always there; with JS the labels are at hand.
    assert statuses[0]["data-deadline"] == "2026-12-01T23:59:59+07:00"
    assert statuses[0]["data-label-closed"] == "Registration closed"
    deadline = cards[0].select_one("dd time")
    assert (deadline["datetime"], deadline.get_text()) == (
        "2026-12-01T23:59:59+07:00", "December 1, 2026",
    )  # fmt: skip
    script = html.find(
        "script", src=lambda src: src and src.split("?")[0] == "/static/js/training-status.js"
    )
    assert script is not None


def test_training_call_ics_parses_back(programme):
    response = programme.get("/en/training/da-dong/event.ics")
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Closed class"
    assert event.decoded("DTSTART") == dt.date(2021, 6, 7)
    assert event.decoded("DTEND") == dt.date(2021, 6, 12)  # all day: the end is exclusive
    assert str(event["URL"]) == "http://localhost/en/training/da-dong/"
    assert str(event["UID"]) == "training-da-dong@localhost"
    timed = icalendar.Calendar.from_ical(programme.get("/vi/training/mo/event.ics").data)
    (event,) = timed.walk("VEVENT")
    assert event.decoded("DTSTART") == dt.datetime(2027, 1, 15, 8, 0, tzinfo=SITE_TZ)
    assert event.decoded("DTEND") == dt.datetime(2027, 2, 5, 11, 0, tzinfo=SITE_TZ)
    assert str(event["LOCATION"]) == "Nhà Văn hóa"


def test_calendar_feed_per_language_holds_every_call(programme):
    for lang, closed_title in (("vi", "Lớp đã đóng"), ("en", "Closed class")):
        calendar = icalendar.Calendar.from_ical(
            programme.get(f"/{lang}/training/calendar.ics").data
        )
        titles = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
        assert titles == sorted([closed_title, "Lớp còn mở", "Lớp sắp hết hạn"])


def test_training_call_has_schema_org_event_json_ld(programme):
    html = parse(programme.get("/vi/training/mo/"))
    data = json.loads(html.find("script", type="application/ld+json").string)
    assert data["@type"] == "Event"
    assert data["startDate"] == "2027-01-15T08:00:00+07:00"
    assert data["location"] == {"@type": "Place", "name": "Nhà Văn hóa"}
    assert data["audience"]["audienceType"] == "Học sinh, sinh viên, Người dân"
    assert html.select_one(".call-status").get_text() == "Còn nhận đăng ký"
    ics = html.find("a", href="/vi/training/mo/event.ics")
    assert ics is not None and ics.has_attr("download")


def test_json_ld_cannot_close_its_script_element(make_content, app_for):
    title = "</script><script>alert(1)</script>"
    root = make_content({"training/x.vi.md": call(title, "2027-01-08")})
    html = app_for(root).test_client().get("/vi/training/x/").get_data(as_text=True)
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script
    assert json.loads(script)["name"] == title
    assert "<script>alert(1)" not in html


# --- outreach ------------------------------------------------------------------------------


def test_outreach_filters_are_plain_links(programme):
    html = parse(programme.get("/vi/outreach/"))
    assert len(html.select(".material-card")) == 3
    kinds = html.select_one(".filter-links")
    assert [a["href"] for a in kinds.select("a")] == [
        "/vi/outreach/", "/vi/outreach/kind/poster/", "/vi/outreach/kind/leaflet/",
        "/vi/outreach/kind/video/",
    ]  # fmt: skip
    filtered = parse(programme.get("/vi/outreach/kind/leaflet/"))
    assert [h.get_text() for h in filtered.select(".material-card__title")] == ["Tờ rơi"]
    assert filtered.select_one('a[aria-current="page"]')["href"] == "/vi/outreach/kind/leaflet/"
    by_audience = parse(programme.get("/en/outreach/audience/citizens/"))
    assert [h.get_text() for h in by_audience.select(".material-card__title")] == ["Áp phích"]
    assert programme.get("/vi/outreach/kind/slides/").status_code == 404
    assert programme.get("/vi/outreach/kind/unknown/").status_code == 404


def test_material_page_has_a_phone_sized_preview_and_downloads_with_sizes(programme):
    html = parse(programme.get("/en/outreach/to-roi/"))
    img = html.select_one(".material-figure img")
    assert img["src"] == "/thumbnails/360/to-roi.png.jpg"
    assert img["srcset"] == (
        "/thumbnails/360/to-roi.png.jpg 360w, /thumbnails/720/to-roi.png.jpg 720w"
    )
    assert (img["width"], img["height"]) == ("360", "504")
    downloads = [li.get_text("", strip=True) for li in html.select(".download")]
    png_kb = round(len(png_bytes()) / 1024)
    assert downloads == [f"Tệp to-roi.png(PNG, {png_kb} KB)", "Tệp to-roi.pdf(PDF, 5 KB)"]
    assert [a["href"] for a in html.select(".download a[download]")] == [
        "/media/to-roi.png", "/media/to-roi.pdf",
    ]  # fmt: skip
    thumb = programme.get(img["src"])
    assert thumb.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(thumb.data)).size == (360, 504)
    assert Image.open(io.BytesIO(programme.get("/thumbnails/720/to-roi.png.jpg").data)).width == 720
    assert programme.get("/thumbnails/500/to-roi.png.jpg").status_code == 404
    assert programme.get("/thumbnails/360/ap-phich.svg.jpg").status_code == 404
    svg = parse(programme.get("/en/outreach/ap-phich/")).select_one(".material-figure img")
    assert svg["src"] == "/media/ap-phich.svg" and not svg.has_attr("srcset")


# --- documents -----------------------------------------------------------------------------


def table_rows(html) -> list[list[str]]:
    return [
        [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        for tr in html.select(".document-table tbody tr")
    ]


def test_document_library_is_sorted_by_signed_date(programme):
    rows = table_rows(parse(programme.get("/en/documents/")))
    assert [r[0] for r in rows] == ["04/BC", "03/BC", "01-NQ", "KH"]
    assert rows[1] == [
        "03/BC", "Báo cáo tháng 3", "Report", "Sở Thông tin và Truyền thông", "April 5, 2021",
        "PDF, 244 KB",
    ]  # fmt: skip
    assert rows[3][4] == "not stated"


def test_document_library_filters_by_type_and_year(programme):
    html = parse(programme.get("/vi/documents/"))
    assert [a["href"] for a in html.select(".filter-links a")] == [
        "/vi/documents/", "/vi/documents/type/resolution/", "/vi/documents/type/plan/",
        "/vi/documents/type/report/",
        "/vi/documents/", "/vi/documents/year/2021/", "/vi/documents/year/2020/",
    ]  # fmt: skip
    reports = table_rows(parse(programme.get("/vi/documents/type/report/")))
    assert [r[0] for r in reports] == ["04/BC", "03/BC"]
    year = table_rows(parse(programme.get("/vi/documents/year/2020/")))
    assert [r[0] for r in year] == ["01-NQ"]
    assert programme.get("/vi/documents/type/decision/").status_code == 404
    assert programme.get("/vi/documents/year/1999/").status_code == 404


def test_document_page_shows_metadata_and_download(programme):
    html = parse(programme.get("/vi/documents/bao-cao-3/"))
    facts = {
        div.dt.get_text(): div.dd.get_text(" ", strip=True)
        for div in html.select(".document-facts dl > div")
    }
    assert facts["Số, ký hiệu"] == "03/BC"
    assert facts["Loại văn bản"] == "Báo cáo"
    assert facts["Ngày ký"] == "5 tháng 4, 2021"
    link = html.select_one(".document-facts a.button")
    assert link["href"] == "/media/bao-cao.pdf"
    assert html.select_one(".document-facts .download__meta").get_text() == "(PDF, 244 KB)"


# --- home ----------------------------------------------------------------------------------


def test_home_gives_each_section_a_place(programme):
    html = parse(programme.get("/en/"))
    goals = html.select(".home-goals .goal-card")
    assert len(goals) == 3
    calls = [c.get_text() for c in html.select(".home-calls .call-card__title")]
    assert calls == ["Lớp sắp hết hạn", "Lớp còn mở"]
    assert len(html.select(".home-materials .material-card")) == 3
    report = html.select_one(".home-report .report-card a")
    assert (report.get_text(), report["href"]) == ("Báo cáo tháng 4", "/en/documents/bao-cao-4/")


def test_now_can_be_set_from_the_environment(monkeypatch, make_content):
    monkeypatch.setenv("DXPORTAL_NOW", "2027-01-05T09:00:00")
    root = make_content({"training/x.vi.md": call("X", "2027-01-08")})
    client = create_app({"DXPORTAL_CONTENT_DIR": str(root)}).test_client()
    assert parse(client.get("/en/training/")).select_one(".call-status").get_text() == (
        "Closing soon"
    )


def test_feeds_carry_material_and_document_files_as_enclosures(programme):
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring(programme.get("/en/outreach/feed.xml").data)
    leaflet = next(e for e in feed.iter(f"{atom}entry") if e.find(f"{atom}title").text == "Tờ rơi")
    enclosures = [
        link.attrib for link in leaflet.iter(f"{atom}link") if link.get("rel") == "enclosure"
    ]
    assert [(e["href"], e["type"]) for e in enclosures] == [
        ("http://localhost/media/to-roi.png", "image/png"),
        ("http://localhost/media/to-roi.pdf", "application/pdf"),
    ]
    assert enclosures[1]["length"] == str(len(b"%PDF-1.4\n" + b"x" * 5000))
    documents = ET.fromstring(programme.get("/vi/documents/feed.xml").data)
    hrefs = [
        link.get("href") for link in documents.iter(f"{atom}link") if link.get("rel") == "enclosure"
    ]
    assert hrefs == ["http://localhost/media/bao-cao.pdf"]


def test_a_video_material_links_to_the_video(programme):
    html = parse(programme.get("/vi/outreach/video/"))
    assert html.select_one(".downloads a")["href"] == "https://example.com/video"
    assert html.select_one(".material-figure") is None


def test_filtered_pages_have_their_own_address_in_both_languages(programme):
    html = parse(programme.get("/en/documents/type/report/"))
    assert (
        html.find("link", rel="canonical")["href"] == "http://localhost/en/documents/type/report/"
    )
    assert html.find("link", hreflang="vi")["href"] == "http://localhost/vi/documents/type/report/"
    assert html.select_one("h1").get_text() == "Documents: Reports"
    assert programme.get("/vi/training/khong-co/event.ics").status_code == 404
