"""The risk matrix on a real Synapse (issue 14): ``!risiken <AG>`` answers with the text table and
then an ``m.image`` whose downloaded file decodes as a PNG of the size the event announces, in a
plain room and (encrypted file, decrypted with the event's key) in an encrypted room."""
from __future__ import annotations

import io

import pytest
from nio import DownloadResponse
from nio.crypto.attachments import decrypt_attachment
from PIL import Image

from matrix_helpers import BotRunner, Member, is_reply

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def risk_answers(member: Member, room_id: str, bot_id: str) -> tuple[object, object]:
    """Record a risk, ask for the AG's risks; return (text answer, image event)."""
    added = await member.ask(room_id, "!risiko Finanzen Fördermittel laufen aus w=4 a=5 massnahme=Antrag vorziehen",
                             bot_id, within=30)
    assert "Nr. 1 „Fördermittel laufen aus“: W 4 × A 5 = 20, rot" in added.body
    question = await member.send(room_id, "!risiken Finanzen")
    text = await member.wait_for(room_id, lambda e: is_reply(e, question, bot_id)
                                 and e.source["content"].get("msgtype") == "m.notice", within=30)
    image = await member.wait_for(room_id, lambda e: is_reply(e, question, bot_id)
                                  and e.source["content"].get("msgtype") == "m.image", within=30)
    return text, image


def check_png(data: bytes, content: dict) -> None:
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "PNG"
    assert picture.size == (content["info"]["w"], content["info"]["h"])
    assert content["info"]["mimetype"] == "image/png" and content["info"]["size"] == len(data) < 60_000
    assert content["filename"].startswith("risikomatrix-finanzen-") and content["filename"].endswith(".png")
    assert content["body"].startswith("Risikomatrix der AG Finanzen, Stand ")  # alt text as the caption


async def test_risk_matrix_arrives_as_an_m_image_with_a_png(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    member = await Member(synapse, synapse.new_user("mitglied")).setup()
    runner = BotRunner(synapse, bot_user, tmp_path / "bot", admins=[], allowed_inviters=["@mitglied-*:localhost"])
    try:
        await runner.start()
        room_id = await member.create_room("AG Finanzen", invite=[bot_user.user_id])
        await member.wait_joined(room_id, bot_user.user_id)
        text, image = await risk_answers(member, room_id, bot_user.user_id)
        assert "Risiken der AG Finanzen (1 offen)" in text.body
        content = image.source["content"]
        download = await member.client.download(content["url"])
        assert isinstance(download, DownloadResponse), download
        check_png(download.body, content)
    finally:
        await runner.stop()
        await member.close()


async def test_in_an_encrypted_room_the_picture_is_an_encrypted_file(synapse, tmp_path):
    bot_user = synapse.new_user("agbot")
    member = await Member(synapse, synapse.new_user("mitglied"), store_dir=tmp_path / "member-keys").setup()
    runner = BotRunner(synapse, bot_user, tmp_path / "bot", admins=[], allowed_inviters=["@mitglied-*:localhost"])
    try:
        await runner.start()
        room_id = await member.create_room("AG Finanzen (verschlüsselt)", invite=[bot_user.user_id], encrypted=True)
        await member.wait_joined(room_id, bot_user.user_id)
        _, image = await risk_answers(member, room_id, bot_user.user_id)
        assert image.decrypted
        content = image.source["content"]
        assert "url" not in content, "an encrypted room gets the picture as an encrypted file"
        file = content["file"]
        download = await member.client.download(file["url"])
        assert isinstance(download, DownloadResponse), download
        data = decrypt_attachment(download.body, file["key"]["k"], file["hashes"]["sha256"], file["iv"])
        check_png(data, content)
    finally:
        await runner.stop()
        await member.close()
