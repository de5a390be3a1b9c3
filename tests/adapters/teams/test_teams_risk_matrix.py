"""The risk matrix on Teams: the picture follows the text answer as an Adaptive Card whose Image
carries a ``data:image/png;base64,...`` URI and an altText; a picture too large for a Teams message
is left out with a note. Pure conversion and over real HTTP through the connector stand-in."""
from __future__ import annotations

import base64
import io
import json

from PIL import Image

from adapters.teams.convert import MAX_CARD_BYTES, image_card, reply_activities
from bot.messages import Attachment, Reply
from teams_standin import ERIKA, message, post

PNG = b"\x89PNG\r\n\x1a\n"


def picture_reply(data: bytes) -> Reply:
    return Reply("Risiken der AG Finanzen (1 offen), die höchsten zuerst:", ("Nr. 1 „Kosten“: W 4 × A 5 = 20, rot",),
                 footer="Wert = W × A", attachment=Attachment("risikomatrix.png", "image/png", data, 10, 10,
                                                               "Risikomatrix der AG Finanzen: 1 rot (Nr. 1)."))


def image_of(activity: dict) -> dict:
    [attachment] = activity["attachments"]
    [element] = attachment["content"]["body"]
    assert element["type"] == "Image"
    return element


def test_picture_goes_as_a_second_card_with_data_uri_and_alt_text():
    data = PNG + b"x" * 100
    first, second = reply_activities(picture_reply(data))
    assert "Nr. 1 „Kosten“" in json.dumps(first, ensure_ascii=False)  # the text table comes first
    image = image_of(second)
    assert image["url"] == "data:image/png;base64," + base64.b64encode(data).decode()
    assert image["altText"] == "Risikomatrix der AG Finanzen: 1 rot (Nr. 1)."
    assert second["attachments"][0]["content"]["fallbackText"] == image["altText"]


def test_a_picture_too_large_for_teams_is_left_out_with_a_note():
    big = PNG + bytes(range(256)) * (MAX_CARD_BYTES // 256)
    assert image_card(picture_reply(big)) is None
    [only] = reply_activities(picture_reply(big))
    text = json.dumps(only, ensure_ascii=False)
    assert "ist für Teams zu groß" in text and "base64" not in text and "Nr. 1 „Kosten“" in text


async def test_risk_matrix_reaches_the_connector_as_an_image_card(teams_bot, connector, http):
    app, adapter = await teams_bot()
    added = message(connector.url, "risiko Finanzen Fördermittel laufen aus w=4 a=5 massnahme=Antrag vorziehen",
                    user=ERIKA)
    assert (await post(http, adapter.port, added))[0] == 200
    assert "Nr. 1" in (await connector.reply_to(added)).text
    asked = message(connector.url, "risiken Finanzen", user=ERIKA)
    assert (await post(http, adapter.port, asked))[0] == 200
    await connector.wait_for(lambda r: r.reply_to == asked["id"] and any(
        element.get("type") == "Image" for card in r.cards for element in card.get("body", [])))
    answers = [r for r in connector.received if r.reply_to == asked["id"]]
    assert "Fördermittel laufen aus" in answers[0].text  # the table, readable without the picture
    image = image_of(answers[-1].activity)
    prefix = "data:image/png;base64,"
    assert image["url"].startswith(prefix)
    png = base64.b64decode(image["url"][len(prefix):])
    assert Image.open(io.BytesIO(png)).format == "PNG"
    assert image["altText"].startswith("Risikomatrix der AG Finanzen, Stand ") and "1 rot (Nr. 1)" in image["altText"]
    assert len(json.dumps(answers[-1].activity).encode()) < 28_000
