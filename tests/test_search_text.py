"""The text the index reads from a rendered body: the fast split finds what html.parser finds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dxportal.rendering import Renderer
from dxportal.search.documents import SERIALIZED_TAG, html_parts, html_to_text, parse_parts

BODIES = [
    '# Tiêu đề\n\nĐoạn *một* với **đậm**, `mã <b>` và [liên kết](/vi/news/x/ "a > b").',
    'Ảnh ![mô tả "trích"](/media/a.png "tiêu đề") & ký hiệu < > &amp; &copy; &#x41;',
    "| Cột | Số |\n|:---|---:|\n| a | 1 |\n| b<br>c | 2 |\n\nChú thích[^1].\n\n[^1]: Ghi chú.",
    "- một\n- hai\n    1. ba\n\n> trích dẫn\n\n```\nif a < b && c > d:\n    pass\n```",
    "Term\n: Definition\n\n*[HTML]: HyperText\n\nHTML là <script>alert(1)</script> chữ",
    "Dòng một  \ndòng hai\n\n---\n\n<div>khối</div><!-- ẩn --> <p onclick=x>đoạn</p>",
    "{: #id .class }\nĐoạn\n\n## Mục {: #muc }\n\n<em>nghiêng</em> a&nbsp;b\u00a0c",
]


@pytest.mark.parametrize("body", BODIES)
def test_rendered_bodies_take_the_fast_split_and_give_the_parsers_text(body):
    html = Renderer().render(body, "vi")
    texts = SERIALIZED_TAG.split(html)[::2]
    assert "<" not in "".join(texts)  # every tag the renderer writes is recognised
    assert html_parts(html) == parse_parts(html)


def test_block_tags_put_text_on_lines_of_their_own():
    html = '<h2 id="a">Tiêu đề</h2><p>Một <a href="/x" title="a>b">hai</a> &amp; ba</p><br>bốn'
    assert html_to_text(html) == "Tiêu đề\nMột hai & ba\nbốn"


MARKUP = st.lists(
    st.sampled_from(
        ["<p>", "</p>", "<br>", "<br/>", "<li>", "</li>", "<a href=\"x\">", "</a>", "<!-- c -->",
         '<img alt="a>b" src="y">', '<a title="x<y">', "<em>", "</em>", "<script>", "</script>",
         "</a x=\"1\">",
         "<P>", "<b class='q'>", "<", ">", "&", "&amp;", "&lt", "&#60;", "&nbsp;", " ", "\n",
         "chữ", "x", "\u2028", '"', "<!doctype html>", "<?pi?>", "<![CDATA[x]]>"]
    )
).map("".join)  # fmt: skip


@settings(deadline=None, max_examples=300)
@given(MARKUP)
def test_any_markup_gives_the_parsers_text(html):
    assert html_parts(html) == parse_parts(html)
