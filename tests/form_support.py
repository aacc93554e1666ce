"""Reading HTML as a browser would: parsed pages, and what a form sends as shown.

Plain functions without pytest, so that bench/ scripts can use them too (bench/approve.py).
"""

from __future__ import annotations

from bs4 import BeautifulSoup


def parse(response_or_text) -> BeautifulSoup:
    text = response_or_text
    if hasattr(response_or_text, "get_data"):
        text = response_or_text.get_data(as_text=True)
    return BeautifulSoup(text, "html.parser")


def form_values(html) -> dict:
    """What a browser would send for the page form (or the first form), as shown."""
    soup = parse(html)
    form = soup.find("form", id="page-form") or soup.find("form", method="post")
    data: dict = {}
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or element.get("type") == "file":
            continue
        if element.name == "textarea":
            data[name] = element.text
        elif element.name == "select":
            chosen = element.find("option", selected=True)
            data[name] = chosen["value"] if chosen else ""
        elif element.get("type") == "checkbox":
            if element.has_attr("checked"):
                data.setdefault(name, []).append(element["value"])
        else:
            data[name] = element.get("value", "")
    return data
