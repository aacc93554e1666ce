"""Search in preview: /<lang>/search/ through the test client, HTML parsed."""

from __future__ import annotations

import pytest

from dxportal import create_app

from conftest import EMBEDDED_CONTENT, page_text, parse

STEERING = "/vi/news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat/"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """One app (and one index) over the embedded content for the whole module."""
    app = create_app({
        "DXPORTAL_CONTENT_DIR": str(EMBEDDED_CONTENT),
        "DXPORTAL_SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("search") / "index"),
        "TESTING": True,
    })  # fmt: skip
    return app.test_client()


def result_links(response) -> list[str]:
    return [a["href"] for a in parse(response).select(".search-result h2 a")]


def search(client, q: str, lang: str = "vi", **params):
    response = client.get(f"/{lang}/search/", query_string={"q": q, **params})
    assert response.status_code == 200
    return response


def test_every_page_has_a_search_form(client):
    for url in ("/vi/", "/en/", STEERING, "/vi/about/"):
        form = parse(client.get(url)).select_one("header form[role=search]")
        assert form["action"] == url[:4] + "search/" and form["method"] == "get"
        field = form.select_one("input[name=q]")
        assert form.select_one(f"label[for={field['id']}]").get_text(strip=True)
        assert form.select_one("button[type=submit]")


def test_unaccented_query_finds_accented_pages(client):
    assert STEERING in result_links(search(client, "chuyen doi so"))


def test_accented_query_matches_exact_forms_only(make_content, app_for):
    root = make_content({
        "news/a.vi.md": page_text("Chuyển đổi số", body="Nội dung."),
        "news/b.vi.md": page_text("Chuyến đi đợi sớm", body="Nội dung."),
    })  # fmt: skip
    client = app_for(root).test_client()
    assert result_links(search(client, "chuyển đổi")) == ["/vi/news/a/"]
    assert sorted(result_links(search(client, "chuyen"))) == ["/vi/news/a/", "/vi/news/b/"]


def test_d_without_stroke_and_old_tone_placement_match(make_content, app_for):
    root = make_content({
        "news/a.vi.md": page_text("Đăng ký hộ kinh doanh", body="Thủ tục hoà giải, thuý."),
    })  # fmt: skip
    client = app_for(root).test_client()
    for query in ("dang ky", "đăng ký", "hòa giải", "hoà giải", "thúy", "ĐĂNG KÝ"):
        assert result_links(search(client, query)) == ["/vi/news/a/"], query


def test_quoted_phrase_needs_the_words_side_by_side(make_content, app_for):
    root = make_content({
        "news/a.vi.md": page_text("Tin A", body="Kế hoạch chuyển đổi số của tỉnh."),
        "news/b.vi.md": page_text("Tin B", body="Số lượng hồ sơ chuyển về để đổi."),
    })  # fmt: skip
    client = app_for(root).test_client()
    assert sorted(result_links(search(client, "chuyển đổi số"))) == ["/vi/news/a/", "/vi/news/b/"]
    assert result_links(search(client, '"chuyen doi so"')) == ["/vi/news/a/"]
    assert result_links(search(client, '"doi chuyen"')) == []


def test_adjacent_words_rank_first(make_content, app_for):
    scattered = "Số liệu ở đây. " * 3 + "Chuyển hồ sơ. Đổi mới."
    root = make_content({
        "news/a.vi.md": page_text("Tin A", date="2021-03-04", body=scattered),
        "news/b.vi.md": page_text("Tin B", date="2021-03-03", body="Chuyển đổi số."),
    })  # fmt: skip
    client = app_for(root).test_client()
    assert result_links(search(client, "chuyen doi so"))[0] == "/vi/news/b/"


def test_snippet_highlights_matches_and_escapes(make_content, app_for):
    root = make_content({
        "news/a.vi.md": page_text("Tin A", body="Hướng dẫn đăng ký &lt;b&gt; trực tuyến."),
    })  # fmt: skip
    client = app_for(root).test_client()
    snippet = parse(search(client, "dang ky")).select_one(".search-result__snippet")
    assert [m.get_text() for m in snippet.select("mark")] == ["đăng", "ký"]
    assert snippet.select("b") == []


def test_results_show_section_and_date(client):
    card = parse(search(client, "chuyen doi so")).select_one(".search-result")
    assert card.select_one(".entry-card__section").get_text()
    assert card.select_one("time")["datetime"]


def test_section_filter(client):
    links = result_links(search(client, "chuyen doi so", section="documents"))
    assert links and all(link.startswith("/vi/documents/") for link in links)


def test_pagination(make_content, app_for):
    pages = {f"news/tin-{n:02d}.vi.md": page_text(f"Tin {n}", body="Chuyển đổi số.")
             for n in range(13)}  # fmt: skip
    client = app_for(make_content(pages)).test_client()
    first = parse(search(client, "chuyen doi so"))
    assert len(first.select(".search-result")) == 10
    next_link = first.select_one(".pagination a[rel=next]")["href"]
    second = parse(client.get(next_link))
    assert len(second.select(".search-result")) == 3


def test_english_search_uses_english_pages(client):
    links = result_links(search(client, "steering committees", lang="en"))
    assert "/en/news/hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat/" in links


@pytest.mark.parametrize(
    "query", ["AND (", '"', "*", "x" * 500, "\x00\x07\x1b[31m", "a OR", "((", "\\", "%", "title:"]
)
def test_malformed_queries_get_a_page_never_500(client, query):
    page = parse(search(client, query))
    assert page.select_one(".search-count").get_text(strip=True)
    assert "\x00" not in str(page)


def test_query_is_escaped_not_echoed_raw(client):
    response = search(client, "<script>alert(1)</script>")
    assert "<script>alert(1)" not in response.get_data(as_text=True)
    assert parse(response).select_one("#search-q")["value"] == "<script>alert(1)</script>"


def test_empty_query_and_no_query(client):
    empty = parse(search(client, "   "))
    assert empty.select_one(".search-count")
    assert parse(client.get("/vi/search/")).select(".search-sections a")


def test_no_hits_suggests_a_correction(client):
    page = parse(search(client, "chuyen doi xo"))
    link = page.select_one(".search-suggestion a")
    assert link.get_text() == "chuyen doi so"
    assert STEERING in result_links(search(client, link.get_text()))


def test_index_follows_content_changes(make_content, app_for):
    root = make_content({"news/a.vi.md": page_text("Tin A", body="Nội dung.")})
    app = app_for(root, DXPORTAL_PREVIEW=True)
    client = app.test_client()
    assert result_links(search(client, "bao cao")) == []
    (root / "news/b.vi.md").write_text(page_text("Báo cáo", body="Mới."), encoding="utf-8")
    assert result_links(search(client, "bao cao")) == ["/vi/news/b/"]


def test_index_command_builds_the_index(make_content, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from dxportal.cli import main

    root = make_content({"news/a.vi.md": page_text("Tin A")})
    monkeypatch.setenv("DXPORTAL_CONTENT_DIR", str(root))
    monkeypatch.setenv("DXPORTAL_SEARCH_INDEX_DIR", str(tmp_path / "idx"))
    from whoosh import index as whoosh_index
    from whoosh.query import And, Term

    result = CliRunner().invoke(main, ["index"])
    assert result.exit_code == 0, result.output
    # Every page is in both languages' indexes (a page without a translation too), and its
    # words can be found.
    for lang in ("vi", "en"):
        ix = whoosh_index.open_dir(str(tmp_path / "idx" / lang))
        with ix.searcher() as searcher:
            keys = sorted(fields["key"] for fields in searcher.all_stored_fields())
            assert keys == ["news/a", "pages/about"], lang
            assert searcher.doc_count() == 2
            title = list(ix.schema["title"].process_text("Tin A", mode="query"))
            assert title
            found = searcher.search(And([Term("title", word) for word in title]))
            assert [hit["key"] for hit in found] == ["news/a"], lang


def test_nfd_query_equals_nfc_query(client):
    import unicodedata

    nfc = result_links(search(client, "chuyển đổi số"))
    assert (
        nfc and result_links(search(client, unicodedata.normalize("NFD", "chuyển đổi số"))) == nfc
    )
