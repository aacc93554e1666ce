"""Loading content: the model, NFC normalisation, and every content error with file and line."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from dxportal.content.errors import ContentError
from dxportal.content.loader import load_content

from conftest import EMBEDDED_CONTENT, page_text


def problems_of(root) -> list[str]:
    """Every problem as 'relative/path:line: message'."""
    with pytest.raises(ContentError) as caught:
        load_content(root)
    return [str(p).replace(f"{root}/", "") for p in caught.value.problems]


def test_embedded_content_loads_with_a_translation_pair():
    site = load_content(EMBEDDED_CONTENT)
    entry = site.entry("news", "hop-ban-chi-dao-chuyen-doi-so-lan-thu-nhat")
    assert set(entry.versions) == {"vi", "en"}
    assert entry.version("vi").date == dt.date(2021, 3, 3)
    assert site.entry("pages", "about") is not None


def test_pages_of_a_section_are_newest_first(make_content):
    root = make_content({
        "news/old.vi.md": page_text("Cũ", "2020-01-01"),
        "news/new.vi.md": page_text("Mới", "2022-01-01"),
        "news/mid.vi.md": page_text("Giữa", "2021-01-01"),
    })  # fmt: skip
    site = load_content(root)
    assert [e.slug for e in site.section_entries("news")] == ["new", "mid", "old"]


def test_decomposed_text_is_normalised_to_nfc(make_content):
    title = unicodedata.normalize("NFD", "Chuyển đổi số")
    root = make_content({"news/nfd.vi.md": page_text(title, body=title)})
    page = load_content(root).entry("news", "nfd").version("vi")
    assert page.title == "Chuyển đổi số"
    assert unicodedata.is_normalized("NFC", page.body)


def test_entry_falls_back_to_vietnamese(make_content):
    root = make_content({"news/only-vi.vi.md": page_text("Chỉ tiếng Việt")})
    entry = load_content(root).entry("news", "only-vi")
    assert entry.version("en").lang == "vi"


def test_drafts_are_left_out_unless_asked_for(make_content):
    root = make_content({"news/draft.vi.md": page_text("Nháp", draft="true")})
    assert load_content(root).entry("news", "draft") is None
    assert load_content(root, include_drafts=True).entry("news", "draft").version("vi").draft


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("news/bad-yaml.vi.md", "---\ntitle: [unclosed\ndate: 2021-03-03\n---\nx\n",
         "news/bad-yaml.vi.md:3: YAML syntax error"),
        ("news/no-title.vi.md", "---\ndate: 2021-03-03\n---\nx\n",
         "news/no-title.vi.md:1: the required field 'title' is missing"),
        ("news/bad-date.vi.md", "---\ntitle: A\nsummary: s\ndate: 03/03/2021\n---\nx\n",
         "news/bad-date.vi.md:4: 'date' must be a date written YYYY-MM-DD"),
        ("news/impossible-date.vi.md", "---\ntitle: A\ndate: 2021-13-45\n---\nx\n",
         "news/impossible-date.vi.md:3: 'date' has an invalid value"),
        ("news/french.fr.md", "---\ntitle: A\ndate: 2021-03-03\n---\nx\n",
         "news/french.fr.md: unknown language 'fr'"),
        ("news/no-language.md", "---\ntitle: A\ndate: 2021-03-03\n---\nx\n",
         "news/no-language.md: the file name must be <slug>.vi.md or <slug>.en.md"),
        ("news/latin1.vi.md", b"---\ntitle: A\ndate: 2021-03-03\n---\n\nChuy\xe9n\n",
         "news/latin1.vi.md:6: the file is not UTF-8"),
        ("news/list.vi.md", "---\n- title\n- date\n---\nx\n",
         "news/list.vi.md:2: front matter must be a list of 'key: value' lines, not a list"),
        ("news/scalar.vi.md", "---\njust text\n---\nx\n",
         "news/scalar.vi.md:2: front matter must be a list of 'key: value' lines, not a single"),
        ("news/open.vi.md", "---\ntitle: A\ndate: 2021-03-03\n\nbody without end\n",
         "news/open.vi.md:1: the front matter is not closed"),
        ("news/no-front.vi.md", "# Just markdown\n",
         "news/no-front.vi.md:1: the file must start with front matter"),
        ("news/typo.vi.md", "---\ntitle: A\ndate: 2021-03-03\ntitel: B\n---\nx\n",
         "news/typo.vi.md:4: unknown field 'titel' for section 'news'"),
        ("news/twice.vi.md", "---\ntitle: A\ndate: 2021-03-03\ntitle: B\n---\nx\n",
         "news/twice.vi.md:4: 'title' is set twice (first on line 2)"),
        ("news/tag.vi.md", "---\ntitle: A\ndate: 2021-03-03\ntags: [khong-co]\n---\nx\n",
         "news/tag.vi.md:4: tag 'khong-co' is not in content/tags.yml"),
        ("news/img.vi.md", "---\ntitle: A\ndate: 2021-03-03\nimage: a.png\nimage_alt: A\n---\nx\n",
         "news/img.vi.md:4: image 'a.png' is not in content/media/"),
        ("news/no-alt.vi.md", "---\ntitle: A\ndate: 2021-03-03\nimage: a.png\n---\nx\n",
         "news/no-alt.vi.md:4: 'image' needs 'image_alt'"),
        ("news/Bad_Slug.vi.md", "---\ntitle: A\ndate: 2021-03-03\n---\nx\n",
         "news/Bad_Slug.vi.md: 'Bad_Slug' is not a valid slug"),
        ("blog/post.vi.md", "---\ntitle: A\ndate: 2021-03-03\n---\nx\n",
         "blog/post.vi.md: a page must be inside one section folder"),
        ("pages/news.vi.md", "---\ntitle: A\n---\nx\n",
         "pages/news.vi.md: 'news' is reserved for the site"),
        ("news/draft.vi.md", "---\ntitle: A\ndate: 2021-03-03\ndraft: maybe\n---\nx\n",
         "news/draft.vi.md:4: 'draft' must be true or false"),
    ],
)  # fmt: skip
def test_content_error_names_file_and_line(make_content, name, data, expected):
    root = make_content({name: data})
    messages = problems_of(root)
    assert any(m.startswith(expected) for m in messages), messages


def test_every_problem_is_listed_not_only_the_first(make_content):
    root = make_content({
        "news/a.vi.md": "---\ndate: 2021-03-03\n---\nx\n",
        "news/b.vi.md": "---\ntitle: B\ndate: nope\n---\nx\n",
        "news/c.fr.md": "---\ntitle: C\n---\nx\n",
    })  # fmt: skip
    messages = problems_of(root)
    assert len(messages) == 3
    assert [m.split(":")[0] for m in messages] == ["news/a.vi.md", "news/b.vi.md", "news/c.fr.md"]


def test_site_settings_errors_name_the_line(make_content):
    root = make_content({"site.yml": "name: just one\n"})
    messages = problems_of(root)
    assert "site.yml:1: 'name' needs a text for each language: vi: … and en: …" in messages


def test_libyaml_reads_every_front_matter_as_the_pure_python_parser_does(monkeypatch):
    """Front matter is composed by libyaml (yamlfile.FAST_LOADER) for speed: the same values
    and key lines as PyYAML's own parser, on every file of the embedded content."""
    import yaml

    from dxportal.content import yamlfile

    assert yamlfile.FAST_LOADER is yaml.CSafeLoader  # PyYAML here was built with libyaml
    files = sorted(EMBEDDED_CONTENT.rglob("*.md")) + sorted(EMBEDDED_CONTENT.rglob("*.yml"))
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            text = text.split("\n---\n", 1)[0].removeprefix("---\n")
        read = {}
        for loader in (yaml.CSafeLoader, yaml.SafeLoader):
            monkeypatch.setattr(yamlfile, "FAST_LOADER", loader)
            problems: list = []
            mapping = yamlfile.load_mapping(text, path, problems)
            read[loader] = (mapping.values, mapping.lines, problems) if mapping else problems
        assert read[yaml.CSafeLoader] == read[yaml.SafeLoader], path
