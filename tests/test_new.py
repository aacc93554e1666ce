"""`dxportal new`: a draft page from a title, its translation, never over an existing file."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from dxportal.cli import main
from dxportal.content.loader import load_content

from conftest import page_text


@pytest.fixture
def run_new(monkeypatch, make_content):
    root = make_content()
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(root))
    monkeypatch.setenv("DXPORTAL_NOW", "2026-11-26T09:30")

    def run(*args: str):
        return CliRunner().invoke(main, ["new", *args])

    run.root = root
    return run


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Họp Ban Chỉ đạo lần thứ nhất", "hop-ban-chi-dao-lan-thu-nhat"),
        ("Đổi mới số: 1.000 doanh nghiệp!", "doi-moi-so-1-000-doanh-nghiep"),
        ("  Hòa  nhập   số ", "hoa-nhap-so"),
    ],
)
def test_new_page_slug_comes_from_the_title(run_new, title, slug):
    result = run_new("news", title)
    assert result.exit_code == 0, result.output
    path = run_new.root / "news" / f"{slug}.vi.md"
    assert f"Đã tạo {path} (bản nháp)" in result.output
    page = load_content(run_new.root, include_drafts=True).entry("news", slug).versions["vi"]
    assert page.title == " ".join(title.split())
    assert page.draft is True
    assert page.date.isoformat() == "2026-11-26"


@pytest.mark.parametrize("section", ["news", "goals", "training", "documents"])
def test_new_page_passes_check_apart_from_its_missing_translation(run_new, section):
    run_new(section, "Lớp học kỹ năng số")
    result = CliRunner().invoke(main, ["check", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 1 warning(s)" in result.output
    assert "no English version yet" in result.output


def test_new_material_asks_for_its_file(run_new):
    run_new("outreach", "Áp phích kỹ năng số")
    result = CliRunner().invoke(main, ["check", "--lang", "en"])
    assert result.exit_code == 1
    assert "outreach material needs 'files' or a 'video' address" in result.output
    assert "1 error(s)" in result.output


def test_new_static_page_has_no_date_and_english_template(run_new):
    result = run_new("pages", "Privacy notice", "--lang", "en")
    assert result.exit_code == 0, result.output
    text = (run_new.root / "pages/privacy-notice.en.md").read_text(encoding="utf-8")
    assert "\ndate:" not in text
    assert "Opening paragraph" in text


def test_new_never_overwrites(run_new):
    path = run_new.root / "news/hop.vi.md"
    path.parent.mkdir()
    path.write_text(page_text("Họp"), encoding="utf-8")
    before = path.read_bytes()
    result = run_new("news", "Họp", "--lang", "vi")
    assert result.exit_code == 1
    assert f"{path} đã có; không có gì bị thay đổi" in result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("news", "!!!"), "không tạo được địa chỉ từ tiêu đề '!!!'"),
        (("pages", "Tags"), "'tags' được dành riêng cho cổng"),
        (("news",), "hãy ghi tiêu đề trong dấu ngoặc kép"),
    ],
)
def test_new_explains_what_it_cannot_do(run_new, args, message):
    result = run_new(*args)
    assert result.exit_code == 1
    assert message in result.output


def test_translate_starts_the_other_language_from_the_original(run_new):
    original = run_new.root / "news/hop.vi.md"
    original.parent.mkdir()
    original.write_text(
        page_text("Họp", body="Xem [Giới thiệu](/vi/about/).", tags="[ban-chi-dao]",
                  aliases="[/vi/news/hop-cu/]"),
        encoding="utf-8",
    )  # fmt: skip
    before = original.read_bytes()
    result = run_new("news", "Meeting", "--translate", "hop")
    assert result.exit_code == 0, result.output
    site = load_content(run_new.root, include_drafts=True)
    english = site.entry("news", "hop").versions["en"]
    assert english.title == "Meeting"
    assert english.draft is True
    assert english.tags == ("ban-chi-dao",)
    assert english.aliases == ("/en/news/hop-cu/",)
    assert english.date.isoformat() == "2021-03-03"
    assert "[Giới thiệu](/en/about/)" in english.body
    assert original.read_bytes() == before
    # A second time: refused, nothing changed.
    again = run_new("news", "--translate", "hop", "--lang", "en")
    assert again.exit_code == 1
    assert "already exists" in again.output or "đã có" in again.output


def test_translate_needs_an_existing_page(run_new):
    result = run_new("news", "--translate", "khong-co")
    assert result.exit_code == 1
    assert "không có trang news/khong-co.vi.md hay .en.md" in result.output
