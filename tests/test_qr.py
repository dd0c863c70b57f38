"""The poster's QR code: segno's, for the link, readable by a phone's scanner."""

from __future__ import annotations

from totaliser.outputs.qr import qr_svg

URL = "https://www.justgiving.com/crowdfunding/the-dcf-appeal-jacob-buckett?utm=poster&x=1"


def test_the_code_is_an_svg_sized_by_its_view_box_with_an_escaped_title() -> None:
    svg = qr_svg(URL, "QR code: give <now> & help")
    assert svg.startswith('<svg viewBox="0 0 ') and 'class="qr-code"' in svg
    assert "width=" not in svg.split(">", 1)[0]
    assert "<title>QR code: give &lt;now&gt; &amp; help</title>" in svg


def test_the_code_holds_the_link_at_error_level_m() -> None:
    # (tests/test_reach.py prints the poster in Chromium and scans the code with zbarimg.)
    import segno

    expected = segno.make(URL, error="m", mask=0, micro=False, boost_error=False)
    assert qr_svg(URL, "QR code") == expected.svg_inline(
        border=4, omitsize=True, svgclass="qr-code", lineclass=None, title="QR code", light="#fff",
    )
    assert expected.error == "M" and expected.mask == 0
