"""One way to read the catalogs in a given language (``custody.web.catalogs``): the API's
errors, the throttle's Chinese words and the scan answers (the demo's too, without an app)
say the same words the pages say."""

from __future__ import annotations

import pytest

from custody.web import catalogs, messages, scan_answers
from custody.web.catalogs import say
from custody.web.messages import ERRORS, message_in
from tests.custody.test_phone import HTML


def test_the_words_are_read_without_an_app():
    assert say("zh", "Recorded %(num)d handover", num=1) == "已记录 1 次交接"
    assert say("en", "Recorded %(num)d handover", num=1) == "Recorded 1 handover"
    assert message_in("zh", "no_checkpoint") != message_in("en", "no_checkpoint")
    for code in ERRORS:  # every error has its Chinese words, placeholders filled
        zh = message_in("zh", code)
        assert zh != message_in("en", code) and "%(" not in zh, code
    assert scan_answers.catalog is catalogs.catalog and messages.say is catalogs.say


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_api_error_says_in_the_requests_language_what_the_helper_says(client, lang):
    answer = client.get("/api/v1/no-such-thing", headers={"Accept": "application/json",
                                                           "Accept-Language": lang})
    assert answer.status_code == 404
    assert answer.get_json()["error"]["message"] == message_in(lang, "not_found")
    page = client.get("/T/not-a-code", headers={**HTML, "Accept-Language": lang})
    assert page.status_code == 404
