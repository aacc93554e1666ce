"""Two people at once: opening a page someone else is editing says who and since when; the
lock expires, can be taken over (recorded), and the sha256 conflict refusal stays."""

from __future__ import annotations

import datetime as dt
import json

from newsroom_support import NEWS_URL, post, sign_in

from dxportal.content.clock import SITE_TIMEZONE
from dxportal.editor import audit

from conftest import form_values, parse

LOCK = "locks/news/hop.vi.json"


def notice(client) -> str:
    bar = parse(client.get(NEWS_URL + "?lang=en")).select_one(".review-bar")
    found = bar.select_one(".notice--problem")
    return found.text if found else ""


def test_a_second_person_sees_who_is_editing_and_since_when(newsroom_app, tmp_path):
    app = newsroom_app()
    lan = sign_in(app, "lan")
    assert notice(lan) == ""
    hoa = sign_in(app, "hoa")
    shown = notice(hoa)
    assert "Người lan has been editing this page since" in shown
    assert notice(lan) == ""  # the holder renews their own lock, sees no notice


def test_taking_over_is_recorded_and_swaps_the_notice(newsroom_app, tmp_path):
    app = newsroom_app()
    lan = sign_in(app, "lan")
    lan.get(NEWS_URL)
    hoa = sign_in(app, "hoa")
    assert post(hoa, "/edit/lock/news/hop/vi/take").status_code == 302
    assert notice(hoa) == ""
    assert "Người hoa has been editing" in notice(lan)
    (entry,) = [e for e in audit.read_record(tmp_path / ".newsroom") if e.action == "take_over"]
    assert (entry.person, entry.page, entry.details["from_person"]) == ("hoa", "news/hop.vi", "lan")


def test_an_expired_lock_is_ignored(newsroom_app, tmp_path):
    app = newsroom_app()
    sign_in(app, "lan").get(NEWS_URL)
    path = tmp_path / ".newsroom" / LOCK
    old = (dt.datetime.now(SITE_TIMEZONE) - dt.timedelta(minutes=31)).isoformat()
    path.write_text(json.dumps({**json.loads(path.read_text()), "renewed": old}))
    assert notice(sign_in(app, "hoa")) == ""
    assert json.loads(path.read_text())["login"] == "hoa"


def test_two_saves_from_one_opening_still_conflict(newsroom_app, newsroom):
    app = newsroom_app()
    lan = sign_in(app, "lan")
    hoa = sign_in(app, "hoa")
    lan_form = form_values(lan.get(NEWS_URL).get_data(as_text=True))
    hoa_form = form_values(hoa.get(NEWS_URL).get_data(as_text=True))
    lan_form.update(body="Của Lan.", action="save")
    hoa_form.update(body="Của Hoà.", action="save")
    assert lan.post(NEWS_URL, data=lan_form).status_code == 302
    assert hoa.post(NEWS_URL, data=hoa_form).status_code == 409


def test_a_writer_may_not_take_over_without_the_csrf_token(newsroom_app):
    app = newsroom_app()
    sign_in(app, "lan").get(NEWS_URL)
    hoa = sign_in(app, "hoa")
    assert hoa.post("/edit/lock/news/hop/vi/take").status_code == 400
    assert "Người lan" in notice(hoa)
