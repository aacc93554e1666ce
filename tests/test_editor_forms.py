"""The page form as a communicator uses it, without JavaScript (the test client posts what a
browser's own form sends): measurements as table rows, tags as a checklist, uploads."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from dxportal.content.loader import read_content

from conftest import form_values, page_text, parse

NOW = "2026-12-01T09:00"
GOAL = "goals/g.vi.md"
GOAL_URL = "/edit/page/goals/g/vi/"
GOAL_TEXT = (
    "---\ntitle: Dịch vụ công\ndate: 2021-01-01\npillar: digital-government\n"
    "indicator: Tỷ lệ hồ sơ trực tuyến\nunit: '%'\nbaseline: {year: 2020, value: 3}\n"
    "target: {year: 2025, value: 50}\nmeasurements:\n"
    "  - {date: 2021-12-31, value: 8, source: Sở TT&TT}\n"
    "  - {date: 2022-12-31, value: 18}\n---\n\nVăn bản.\n"
)
TAGS = (
    "ban-chi-dao:\n  vi: Ban Chỉ đạo\n  en: Steering Committee\n"
    "dich-vu-cong:\n  vi: Dịch vụ công trực tuyến\n  en: Online public services\n"
)


@pytest.fixture
def content(make_content):
    return make_content(
        {
            GOAL: GOAL_TEXT,
            "tags.yml": TAGS,
            "news/hop.vi.md": page_text("Họp", body="Văn bản.", tags="[dich-vu-cong, cu-da-bo]"),
            "news/hop.en.md": page_text("Meeting", body="Text.", tags="[dich-vu-cong]"),
        }
    )


@pytest.fixture
def client(app_for, content):
    settings = {"DXPORTAL_PREVIEW": True, "DXPORTAL_EDITOR": True, "DXPORTAL_NOW": NOW}
    return app_for(content, **settings).test_client()


def row_values(html, name: str = "measurements") -> list[list[str]]:
    rows = parse(html).select(f"#f-{name} tbody tr")
    return [[cell.get("value", "") for cell in row.select("input")] for row in rows]


def measurements(content) -> tuple:
    site = read_content(content, include_drafts=True)[0]
    return site.entry("goals", "g").versions["vi"].meta["measurements"]


# --- measurements as rows -------------------------------------------------------------------


def test_measurements_are_rows_with_empty_ones_to_fill(client):
    html = client.get(GOAL_URL).get_data(as_text=True)
    assert parse(html).select_one("textarea[name=measurements]") is None
    assert row_values(html) == [
        ["2021-12-31", "8", "Sở TT&TT"],
        ["2022-12-31", "18", ""],
        ["", "", ""],
        ["", "", ""],
    ]
    first = parse(html).select_one("#f-measurements-0-date")
    assert first["type"] == "date" and first["name"] == "measurements-0-date"
    label = parse(html).select_one("label[for=f-measurements-1-value]").text
    assert label == "Giá trị, dòng 2"


def test_a_new_row_is_saved_as_the_yaml_the_loader_reads(client, content):
    data = form_values(client.get(GOAL_URL).get_data(as_text=True))
    data.update({"measurements-2-date": "2023-12-31", "measurements-2-value": "27,5"})
    data.update({"measurements-2-value": "27.5", "measurements-2-source": "Báo cáo 2023"})
    data["action"] = "save"
    assert client.post(GOAL_URL, data=data).status_code == 302
    text = (content / GOAL).read_text(encoding="utf-8")
    assert (
        "measurements:\n  - {date: 2021-12-31, value: 8, source: Sở TT&TT}\n"
        "  - {date: 2022-12-31, value: 18}\n"
        "  - {date: 2023-12-31, value: 27.5, source: Báo cáo 2023}\n"
    ) in text
    assert [(m["date"], m["value"]) for m in measurements(content)] == [
        (dt.date(2021, 12, 31), 8),
        (dt.date(2022, 12, 31), 18),
        (dt.date(2023, 12, 31), 27.5),
    ]


def test_more_rows_and_remove_show_the_form_again_without_saving(client, content):
    data = form_values(client.get(GOAL_URL).get_data(as_text=True))
    more = client.post(GOAL_URL, data={**data, "action": "more:measurements"})
    assert more.status_code == 200
    assert len(row_values(more)) == 2 + 2 + 3
    removed = client.post(GOAL_URL, data={**data, "action": "remove:measurements:0"})
    assert removed.status_code == 200
    assert row_values(removed)[0] == ["2022-12-31", "18", ""]
    assert (content / GOAL).read_text(encoding="utf-8") == GOAL_TEXT  # nothing saved yet
    data = form_values(removed.get_data(as_text=True))
    assert client.post(GOAL_URL, data={**data, "action": "save"}).status_code == 302
    assert [m["value"] for m in measurements(content)] == [18]


def test_rows_left_empty_in_the_middle_are_dropped_and_the_rest_renumbered(client, content):
    data = form_values(client.get(GOAL_URL).get_data(as_text=True))
    data.update({"measurements-1-date": "", "measurements-1-value": ""})
    data.update({"measurements-3-date": "2024-06-30", "measurements-3-value": "40"})
    assert client.post(GOAL_URL, data={**data, "action": "save"}).status_code == 302
    assert [m["value"] for m in measurements(content)] == [8, 40]


def test_a_problem_in_a_row_names_the_row_and_marks_its_field(client, content):
    data = form_values(client.get(GOAL_URL).get_data(as_text=True))
    data.update({"measurements-1-value": "nhiều", "action": "save"})
    response = client.post(GOAL_URL + "?lang=en", data=data)
    assert response.status_code == 302  # saved (a draft can be wrong), problems shown on it
    html = parse(client.get(response.headers["Location"]))
    problem = html.select_one("#f-measurements-problems").text
    assert "measurement 2" in problem and "'value'" in problem
    assert html.select_one("#f-measurements-1-value")["aria-invalid"] == "true"
    assert not html.select_one("#f-measurements-0-value").has_attr("aria-invalid")
    data = form_values(client.get(GOAL_URL).get_data(as_text=True))
    data.update({"measurements-1-value": "", "measurements-1-date": "", "action": "save"})
    data.update({"measurements-1-source": "Chỉ có nguồn"})
    response = client.post(GOAL_URL, data=data)
    assert response.status_code == 302
    html = parse(client.get(response.headers["Location"] + "?lang=en"))
    problem = html.select_one("#f-measurements-problems").text
    assert "measurement 2: needs 'date'" in problem
    assert html.select_one("#f-measurements-1-date")["aria-invalid"] == "true"


def test_a_list_the_rows_cannot_show_stays_as_yaml_lines(client, content):
    odd = GOAL_TEXT.replace("source: Sở TT&TT", "source: Sở TT&TT, note: đã kiểm tra")
    (content / GOAL).write_text(odd, encoding="utf-8")
    html = client.get(GOAL_URL).get_data(as_text=True)
    area = parse(html).select_one("textarea[name=measurements]")
    assert "note: đã kiểm tra" in area.text
    data = form_values(html)
    assert client.post(GOAL_URL, data={**data, "action": "save"}).status_code == 302
    assert "note: đã kiểm tra" in (content / GOAL).read_text(encoding="utf-8")


# --- tags as a checklist --------------------------------------------------------------------


def test_tags_are_a_checklist_in_the_pages_language_with_unknown_tags_kept(client, content):
    html = parse(client.get("/edit/page/news/hop/vi/"))
    group = html.select_one("fieldset#f-tags")
    assert group.legend.text.strip().startswith("Thẻ")
    boxes = {box["value"]: box.has_attr("checked") for box in group.select("input")}
    assert boxes == {"ban-chi-dao": False, "dich-vu-cong": True, "cu-da-bo": True}
    labels = [label.text.split("(")[0].strip() for label in group.select("label")]
    assert labels == ["Ban Chỉ đạo", "Dịch vụ công trực tuyến", "cu-da-bo"]
    english = parse(client.get("/edit/page/news/hop/en/")).select_one("fieldset#f-tags")
    assert [lb.text.strip() for lb in english.select("label")] == [
        "Online public services",
        "Steering Committee",
    ]

    data = form_values(str(html))
    assert data["tags"] == ["dich-vu-cong", "cu-da-bo"]
    data.update(tags=["ban-chi-dao", "dich-vu-cong", "cu-da-bo"], action="save")
    assert client.post("/edit/page/news/hop/vi/", data=data).status_code == 302
    text = (content / "news/hop.vi.md").read_text(encoding="utf-8")
    assert "tags: [ban-chi-dao, dich-vu-cong, cu-da-bo]" in text
    data = form_values(client.get("/edit/page/news/hop/vi/").get_data(as_text=True))
    data.update(tags=["dich-vu-cong"], action="save")
    client.post("/edit/page/news/hop/vi/", data=data)
    assert "tags: [dich-vu-cong]" in (content / "news/hop.vi.md").read_text(encoding="utf-8")


# --- uploads ----------------------------------------------------------------------------------


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def test_without_javascript_an_upload_shows_the_markdown_to_copy(client):
    data = form_values(client.get("/edit/page/news/hop/vi/").get_data(as_text=True))
    data.update(action="upload", upload_text="Ảnh họp", upload=(io.BytesIO(png()), "hop.png"))
    response = client.post("/edit/page/news/hop/vi/", data=data)
    html = parse(response)
    field = html.select_one("input#uploaded-markdown")
    assert field["value"] == "![Ảnh họp](/media/hop.png)" and field.has_attr("readonly")
    assert html.select_one("label[for=uploaded-markdown]") is not None
    assert html.select_one("#f-body").text.endswith("![Ảnh họp](/media/hop.png)")


def test_the_forms_script_gets_the_markdown_as_json(client):
    data = form_values(client.get("/edit/page/news/hop/vi/").get_data(as_text=True))
    data.update(action="upload", upload_text="Ảnh họp", upload=(io.BytesIO(png()), "hop.png"))
    headers = {"Accept": "application/json"}
    answer = client.post("/edit/page/news/hop/vi/", data=data, headers=headers)
    assert answer.get_json() == {"name": "hop.png", "snippet": "![Ảnh họp](/media/hop.png)"}
    data.update(upload=(io.BytesIO(b"not an image"), "x.png"))
    refused = client.post("/edit/page/news/hop/vi/?lang=en", data=data, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["problems"]


def test_enter_in_a_text_field_saves_rather_than_removing_a_row(client):
    form = parse(client.get(GOAL_URL)).select_one("#page-form")
    first = form.find(["button", "input"], attrs={"type": "submit"})
    assert (first["name"], first["value"]) == ("action", "save")
