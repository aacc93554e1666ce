"""`dxportal check`: one fixture file per problem, each reported with its file and line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from dxportal.cli import main
from dxportal.content.loader import load_content

from conftest import page_text, parse

# page_text() puts the body on line 6: ---, title, date, ---, blank line, body.
PROBLEM_FILES = {
    "news/lien-ket-hong.vi.md": page_text(
        "Liên kết hỏng", body="Xem [bài cũ](/vi/news/khong-co/)."
    ),
    "news/anh-thieu.vi.md": page_text(
        "Ảnh thiếu", body="Đoạn một.\n\n![Sơ đồ](/media/khong-co.png)"
    ),
    "news/anh-khong-alt.vi.md": page_text("Ảnh không mô tả", body="![](/media/so-do.png)"),
    "news/chu-lien-ket.vi.md": page_text("Chữ liên kết", body="Đọc [tại đây](/vi/about/)."),
    "news/nhay-cap.vi.md": page_text("Nhảy cấp", body="## Mục\n\nChữ.\n\n#### Mục con"),
    "news/bat-dau-h3.vi.md": page_text("Bắt đầu h3", body="### Mục"),
    "news/trung-a.vi.md": page_text("Cùng một tiêu đề"),
    "news/trung-b.vi.md": page_text("Cùng một tiêu đề"),
    "news/nhap.vi.md": page_text("Bản nháp", draft="true"),
    "news/dan-den-nhap.vi.md": page_text("Dẫn đến nháp", body="Xem [bản nháp](/vi/news/nhap/)."),
    "news/tuong-doi.vi.md": page_text("Tương đối", body="Xem [giới thiệu](../pages/about.vi.md)."),
    "news/sai-ngay.vi.md": page_text("Sai ngày", date="31/12/2021"),
    "media/so-do.png": b"\x89PNG",
}


def run_check(monkeypatch, root, *args: str):
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(root))
    monkeypatch.setenv("DXPORTAL_NOW", "2026-11-26T09:00")
    return CliRunner().invoke(main, ["check", *args])


@pytest.fixture
def problem_tree(make_content):
    return make_content(PROBLEM_FILES)


@pytest.mark.parametrize(
    ("file", "line", "message"),
    [
        ("news/lien-ket-hong.vi.md", 6, "error: '/vi/news/khong-co/' links to a page that does "
         "not exist: there is no content/news/khong-co.vi.md or content/news/khong-co.en.md"),
        ("news/anh-thieu.vi.md", 8, "error: '/media/khong-co.png': there is no file khong-co.png "
         "in content/media/"),
        ("news/anh-khong-alt.vi.md", 6, "error: the image /media/so-do.png has no alt text"),
        ("news/chu-lien-ket.vi.md", 6, "warning: the link text 'tại đây' does not say where"),
        ("news/nhay-cap.vi.md", 10, "warning: this heading skips a level (#### after ##): use ###"),
        ("news/bat-dau-h3.vi.md", 6, "warning: the first heading of the body should be ## "
         "(the title is the level-1 heading), not ###"),
        ("news/trung-a.vi.md", 2, "warning: another page has the same title: "),
        ("news/trung-b.vi.md", 2, "warning: another page has the same title: "),
        ("news/dan-den-nhap.vi.md", 6, "error: '/vi/news/nhap/' links to a draft"),
        ("news/tuong-doi.vi.md", 6, "error: '../pages/about.vi.md' is a relative address"),
        ("news/sai-ngay.vi.md", 3, "error: 'date' must be a date written YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_each_problem_is_reported_with_its_file_and_line(
    monkeypatch, problem_tree, file, line, message
):
    result = run_check(monkeypatch, problem_tree, "--lang", "en")
    assert f"{problem_tree}/{file}:{line}: {message}" in result.output


def test_errors_give_exit_status_1_and_a_summary(monkeypatch, problem_tree):
    result = run_check(monkeypatch, problem_tree, "--lang", "en")
    assert result.exit_code == 1
    assert result.output.rstrip().endswith("6 error(s), 16 warning(s)")
    # Every vi-only page that loads (the draft too) lacks English; about has both.
    assert "Pages without a translation: 0 without Vietnamese, 11 without English" in result.output


def test_messages_are_in_vietnamese_by_default(monkeypatch, problem_tree):
    result = run_check(monkeypatch, problem_tree)
    assert (
        f"{problem_tree}/news/anh-khong-alt.vi.md:6: lỗi: ảnh /media/so-do.png chưa có mô tả (alt)"
        in result.output
    )
    assert f"{problem_tree}/news/chu-lien-ket.vi.md:6: cảnh báo: chữ của liên kết" in result.output
    assert "6 lỗi, 16 cảnh báo" in result.output


def test_only_warnings_give_exit_status_0(monkeypatch, make_content):
    root = make_content({"news/chi-tieng-viet.vi.md": page_text("Chỉ tiếng Việt")})
    result = run_check(monkeypatch, root, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert f"{root}/news/chi-tieng-viet.vi.md: warning: no English version yet" in result.output
    assert "0 error(s), 1 warning(s)" in result.output


def test_clean_content_passes(monkeypatch, make_content):
    body = "## Mục\n\nXem [Giới thiệu](/vi/about/), [tin](/en/news/tin/#muc) và [trang chủ](/vi/)."
    root = make_content({
        "news/tin.vi.md": page_text("Tin", body=body),
        "news/tin.en.md": page_text("News", body="See [About](/en/about/)."),
    })  # fmt: skip
    result = run_check(monkeypatch, root, "--lang", "en")
    assert result.exit_code == 0
    assert result.output.strip() == "0 error(s), 0 warning(s)"


def test_code_and_comments_are_not_checked(monkeypatch, make_content):
    body = "```\n[tại đây](/vi/khong-co/)\n```\n\n`![](/x.png)`\n\n<!-- [ví dụ](/vi/news/x/) -->"
    root = make_content({
        "pages/ma.vi.md": page_text("Mã", date=None, body=body),
        "pages/ma.en.md": page_text("Code", date=None),
    })  # fmt: skip
    result = run_check(monkeypatch, root, "--lang", "en")
    assert result.output.strip() == "0 error(s), 0 warning(s)"


def test_body_line_counts_the_blank_lines_after_the_front_matter(make_content):
    root = make_content({"news/tin.vi.md": "---\ntitle: Tin\ndate: 2021-03-03\n---\n\n\n\nĐầu\n"})
    page = load_content(root).entry("news", "tin").versions["vi"]
    assert page.body.startswith("Đầu")
    assert page.body_line == 8


def test_link_to_a_scheduled_page_is_an_error_until_it_is_published(monkeypatch, make_content):
    root = make_content({
        "news/sap-dang.vi.md": page_text("Sắp đăng", publish="2026-12-01 08:00"),
        "news/sap-dang.en.md": page_text("Coming", publish="2026-12-01 08:00"),
        "pages/about.vi.md": page_text("Giới thiệu", date=None,
                                       body="[Sắp đăng](/vi/news/sap-dang/)"),
    })  # fmt: skip
    result = run_check(monkeypatch, root, "--lang", "en")
    assert f"{root}/pages/about.vi.md:5: error: '/vi/news/sap-dang/' links to a page scheduled " \
           "for 2026-12-01 08:00" in result.output  # fmt: skip
    monkeypatch.setenv("DXPORTAL_NOW", "2026-12-01T08:00")
    assert CliRunner().invoke(main, ["check"]).exit_code == 0


def test_build_refuses_content_with_errors_and_writes_nothing(tmp_path, monkeypatch, make_content):
    root = make_content({"news/tin.vi.md": page_text("Tin", body="[Cũ](/vi/news/cu/)")})
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(root))
    result = CliRunner().invoke(main, ["build", "--lang", "en", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{root}/news/tin.vi.md:6: error: '/vi/news/cu/' links to a page that does not " \
           "exist" in result.output  # fmt: skip
    assert "Nothing was published" in result.output
    assert not (tmp_path / "out").exists()


def test_build_goes_ahead_with_warnings_and_ignores_drafts(tmp_path, monkeypatch, make_content):
    root = make_content({
        "news/tin.vi.md": page_text("Tin", body="Đọc [tại đây](/vi/about/)."),
        "news/nhap.vi.md": page_text("Nháp", draft="true", body="[Cũ](/vi/news/cu/)"),
    })  # fmt: skip
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(root))
    result = CliRunner().invoke(main, ["build", "--lang", "en", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out/vi/news/tin/index.html").is_file()
    assert not (tmp_path / "out/vi/news/nhap").exists()
    # `check` looks at drafts too.
    assert CliRunner().invoke(main, ["check"]).exit_code == 1
    # A front-matter error stops the build even in a draft (the loader reads every file).
    (root / "news/nhap.vi.md").write_text(page_text("Nháp", draft="true", tags="[khong-co]"),
                                          encoding="utf-8")  # fmt: skip
    result = CliRunner().invoke(main, ["build", "--lang", "en", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{root}/news/nhap.vi.md:5: error: tag 'khong-co' is not in" in result.output


def test_pasted_control_characters_warn_and_never_reach_a_page_or_feed(
    tmp_path, monkeypatch, make_content
):
    from xml.etree import ElementTree

    root = make_content({"news/dan.vi.md": page_text("Dán vào", body="Chuyển\x0bđổi\x01 số.")})
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(root))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--lang", "en", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{root}/news/dan.vi.md:6: warning: an invisible control character (U+0001, U+000B)" in (
        result.output
    )
    page = (out / "vi/news/dan/index.html").read_text(encoding="utf-8")
    assert "Chuyểnđổi số." in parse(page).find("main").get_text()
    assert "\x0b" not in page and "\x01" not in page
    for feed in out.glob("vi/**/*.xml"):
        ElementTree.parse(feed)  # XML cannot carry them: a feed holding one does not parse
    # In the front matter YAML refuses them: an error at their line (the title is line 2).
    (root / "news/dan.vi.md").write_text(page_text("Dán\x0bvào"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--lang", "en", "-o", str(out)])
    assert result.exit_code == 1
    assert f"{root}/news/dan.vi.md:2: error: an invisible control character (U+000B) that " in (
        result.output
    )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('email: "liên hệ Sở"',
         """'email' must be written like email: "chuyendoiso@bentre.gov.vn" (got 'liên hệ Sở')"""),
        ("email: so@", "'email' must be written like"),
        ('email: "a@b.vn?subject=x"', "'email' must be written like"),
        ("phone: 842753822777", """'phone' must be written like phone: "0275 3822 888" """
         "(got 842753822777)"),
    ],
)  # fmt: skip
def test_the_footer_email_and_phone_are_checked(monkeypatch, make_content, setting, message):
    """The footer links to the email (mailto:); a phone YAML reads as a number lost its form."""
    root = make_content()
    site_yml = root / "site.yml"
    lines = site_yml.read_text(encoding="utf-8").splitlines()
    key = setting.split(":")[0]
    line = next(n for n, text in enumerate(lines, start=1) if text.startswith(f"{key}:"))
    lines[line - 1] = setting
    site_yml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_check(monkeypatch, root, "--lang", "en")
    assert result.exit_code == 1
    assert f"{site_yml}:{line}: error: {message}" in result.output


def test_a_phone_with_words_is_shown_as_written(client):
    """The embedded content labels its example number; phone is free text in quotes."""
    footer = parse(client.get("/vi/")).find("footer")
    assert "(ví dụ / example) 0275 000 0000" in footer.get_text()
    assert footer.find("a", href="mailto:chuyendoiso@example.org") is not None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[![Sơ đồ](/media/so-do.png)](/vi/about/ "Giới thiệu")', []),
        ("[Giới thiệu][gt]\n\n[gt]: /vi/khong-co/", [(7, "links to a page that does not exist")]),
        ("[đây][gt]\n\n[gt]: /vi/about/", [(5, "does not say where the link goes")]),
        ('Chữ <img src="/media/so-do.png"> chữ', [(5, "has no alt text")]),
        ('<a href="/vi/news/khong-co/">Tin</a>', [(5, "links to a page that does not exist")]),
        ("Mục\n===", [(5, "a level-1 heading (#) in the body")]),
        ("## A\n\nMục con\n--------\n\n#### B", [(10, "skips a level (#### after ##)")]),
        ("[Tệp](/media/../site.yml)", [(5, "there is no file ../site.yml")]),
        ("[Tin](/vi/news/tin)", [(5, "must end with /, e.g. /vi/news/tin/")]),
        ("[Sai](/fr/news/)", [(5, "is not an address of this site")]),
        ("[Thẻ](/vi/tags/khong-co/)", [(5, "no page has the tag 'khong-co'")]),
        ("[Ảnh](https://example.org/a.png) [thư](mailto:a@example.org) [mục](#muc)", []),
        ("[Tin](/vi/news/) [Trang 2](/vi/news/page/2/) [RSS](/en/news/feed.xml)", []),
        # Forms the expressions do not read, found in what python-markdown writes.
        ("Đoạn.\n\n[Tin](/vi/news/khong-co/ (Tiêu đề))", [(7, "holds a space: write a title")]),
        ("[a [b [c]]](/vi/khong-co/)", [(5, "links to a page that does not exist")]),
        ("![Ảnh](/media/so-do.png =100x)", [(5, "holds a space")]),
        ("[a [b [c]]](/vi/about/) Chữ[^1]\n\n[^1]: Ghi chú", []),
        (
            "Chữ\x0bchữ\n\nDòng\x01 và\x85\x01",
            [(5, "control character (U+000B)"), (7, "control character (U+0001, U+0085)")],
        ),
    ],
)
def test_markdown_forms_are_checked(make_content, body, expected):
    """A static page without a date: its body starts on line 5."""
    from dxportal.content.checks import check_content

    root = make_content({
        "pages/kiem-tra.vi.md": page_text("Kiểm tra", date=None, body=body),
        "pages/kiem-tra.en.md": page_text("Check", date=None),
        "media/so-do.png": b"\x89PNG",
    })  # fmt: skip
    found = [(f.problem.line, str(f.problem.message)) for f in check_content(root).findings]
    assert len(found) == len(expected), found
    for (line, message), (want_line, want) in zip(found, expected, strict=True):
        assert line == want_line and want in message, found


def test_a_link_to_a_draft_is_an_error_only_in_a_published_page(make_content):
    """Pages share check_url's answers: whether the linking page is published is part of it."""
    from dxportal.content.checks import check_content

    link = "[Bản nháp](/vi/news/nhap/)"
    root = make_content({
        "news/nhap.vi.md": page_text("Bản nháp", draft="true"),
        "news/a-nhap-khac.vi.md": page_text("Nháp khác", draft="true", body=link),
        "news/b-cong-khai.vi.md": page_text("Công khai", body=link),
        "news/c-nhap-nua.vi.md": page_text("Nháp nữa", draft="true", body=link),
    })  # fmt: skip
    errors = [f.problem.path.name for f in check_content(root).errors]
    assert errors == ["b-cong-khai.vi.md"]


@pytest.mark.parametrize(
    "relative", ["content/news/a.vi.md", "a.md", "../outside/b.md", "x/../y/c.md"]
)
def test_display_path_is_the_path_relative_to_the_current_folder(relative):
    from pathlib import Path

    from dxportal.content.findings import display_path

    path = Path.cwd() / relative
    assert display_path(path) == path.relative_to(Path.cwd())
    assert display_path(Path("/elsewhere/d.md")) == Path("/elsewhere/d.md")
    assert display_path(Path("content/e.md")) == Path("content/e.md")


def test_build_shows_ten_warnings_of_a_kind_and_counts_the_rest(
    tmp_path, monkeypatch, make_content
):
    """A site of untranslated pages would print a warning per page on every build."""
    root = make_content({f"news/tin-{n:02}.vi.md": page_text(f"Tin {n}") for n in range(13)})
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(root))
    result = CliRunner().invoke(main, ["build", "--lang", "en", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    untranslated = [line for line in lines if "warning: no English version" in line]
    assert [line.split(":")[0] for line in untranslated] == [
        f"{root}/news/tin-{n:02}.vi.md" for n in range(10)
    ]
    follows = lines[lines.index(untranslated[-1]) + 1]
    assert follows == "… and 3 more warnings like the one above: `dxportal check` lists them all"
    # `check` lists every one.
    checked = CliRunner().invoke(main, ["check", "--lang", "en"]).output
    assert sum("warning: no English version" in line for line in checked.splitlines()) == 13
    # In Vietnamese (the default language of the messages).
    result = CliRunner().invoke(main, ["build", "-o", str(tmp_path / "out")])
    assert "… và 3 cảnh báo khác cùng loại với cảnh báo trên" in result.output
