"""The PDFs are set in the DejaVu fonts shipped with the package, never the machine's: a
document asking for a font the package does not ship is refused, not set in another."""

from __future__ import annotations

import tomllib

import pytest
from pypdf import PdfReader

from pipeline.config import find_project_root
from pipeline.report.pdf import FONT_DIR, PdfError, typeset_pdf

DOCUMENT = """#set document(title: "Fonts")
#set text(font: {font}, lang: "en")
= Heading
Plain, *bold*, _oblique_ and #text(font: "DejaVu Sans Mono")[mono].
"""


def _embedded_fonts(data: bytes, tmp_path) -> set[str]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    names = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_a_document_is_set_in_the_shipped_dejavu_faces(tmp_path):
    data = typeset_pdf(DOCUMENT.format(font='"DejaVu Sans"'))
    assert _embedded_fonts(data, tmp_path) == {"DejaVuSans", "DejaVuSans-Bold",
                                               "DejaVuSans-Oblique", "DejaVuSansMono"}


@pytest.mark.parametrize("font", ['"No Such Font"', '("DejaVu Sans", "No Such Font")',
                                  '"Liberation Sans"'])   # installed here, never shipped
def test_a_font_the_package_does_not_ship_fails_the_pdf(font):
    with pytest.raises(PdfError, match="unknown font family") as caught:
        typeset_pdf(DOCUMENT.format(font=font))
    assert "pipeline/report/fonts" in str(caught.value)


def test_the_fonts_and_their_licence_ship_with_the_package():
    shipped = sorted(p.name for p in FONT_DIR.iterdir())
    assert shipped == ["DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans.ttf",
                       "DejaVuSansMono.ttf", "LICENSE"]
    assert "Bitstream Vera" in (FONT_DIR / "LICENSE").read_text(encoding="utf-8")
    pyproject = tomllib.loads((find_project_root() / "pyproject.toml").read_text("utf-8"))
    assert "fonts/*" in pyproject["tool"]["setuptools"]["package-data"]["pipeline.report"]
