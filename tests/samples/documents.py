"""Documents written here, one writer per format docmill reads.

Each writer takes the path to write and returns nothing; the words a test may look for are the constants
below (`WORDS[name]`). Office files are written with their own Python libraries (python-pptx, openpyxl) or
by hand (DOCX, EPUB and ODF are zips of XML); OpenDocument and legacy Office files are converted by the
LibreOffice the app itself uses; scans are drawn with a real font (tests/ocr/scans.py); speech is spoken by
espeak-ng and encoded by ffmpeg.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
import zipfile
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape

from tests.ocr import scans

TITLE = "Quarterly Report on Lighthouse Maintenance"
AUTHOR = "Morgan Keeper"
REPORT = [
    "The northern lighthouse lamp was replaced in March.",
    "Fuel consumption fell by twelve percent after the upgrade.",
    "The keepers logged 214 passing ships during the quarter.",
]
PAGE_TWO = ["Appendix: the harbour schedule for April and May."]
TABLE = [["Station", "Lamps", "Keepers"], ["Northpoint", "4", "2"], ["Southreef", "2", "1"]]
SCAN_LINES = ["INVOICE 2024-0417", "Harbour Supplies Ltd", "Rope and lantern oil", "TOTAL AMOUNT DUE 380.00"]
PHOTO_LINES = ["Meeting notes", "Budget review at ten", "Bring the signed contract"]
SPEECH = "one two three four five six seven eight nine ten"
SLIDES = [("Lighthouse Network", "Coverage of the coast"), ("Next Steps", "Replace the southern lamp")]
SHEET = [["Name", "Count", "Code"], ["Alpha", 1, "A-100"], ["Delta", 4, "D-400"]]
KOREAN = "등대 관리 보고서: 북쪽 등대의 램프를 교체했습니다."

# Words each sample's Markdown (text, OCR or transcript) must contain.
WORDS: dict[str, list[str]] = {
    "pdf/report.pdf": ["Quarterly Report", "lighthouse lamp", "214 passing ships", "harbour schedule"],
    "pdf/scan.pdf": ["INVOICE", "Harbour Supplies", "TOTAL AMOUNT DUE"],
    "jpg/photo.jpg": ["Meeting notes", "Budget review"],
    "png/scan.png": ["INVOICE", "Harbour Supplies"],
    "docx/report.docx": ["Quarterly Report", "214 passing ships", "Northpoint", "Southreef"],
    "pptx/slides.pptx": ["Lighthouse Network", "Replace the southern lamp"],
    "xlsx/sheet.xlsx": ["Alpha", "Delta", "D-400"],
    "odt/report.odt": ["Quarterly Report", "214 passing ships"],
    "xls/sheet.xls": ["Alpha", "Delta", "D-400"],
    "html/page.html": ["Lighthouse keepers", "fog signals"],
    "epub/book.epub": ["The Keeper's Almanac", "Chapter 1", "tides"],
    "eml/message.eml": ["Harbour inspection", "inspector@example.com", "Tuesday morning"],
    "rtf/letter.rtf": ["This is a sample RTF letter", "harbour master"],
    "csv/ships.csv": ["Ship", "Aurora", "Borealis"],
    "json/data.json": ["station_name", "Northpoint"],
    "ipynb/notebook.ipynb": ["Keeper Notebook", 'print("lamps")'],
    "md/notes.md": ["Maintenance notes", "lantern glass"],
    "txt/korean.txt": ["등대", "교체했습니다"],
    "zip/bundle.zip": ["report.docx", "Quarterly Report", "Alpha"],
    "wav/counting.wav": ["one", "two", "three"],
    "mp3/counting.mp3": ["one", "two", "three"],
}


def report_pdf(path: Path) -> None:
    """A two-page PDF with a real text layer and a document title."""
    import pypdfium2 as pdfium  # noqa: PLC0415 (only this writer needs pdfium)

    merged = pdfium.PdfDocument.new()
    for lines in ([TITLE, "", *REPORT], PAGE_TWO):
        merged.import_pages(pdfium.PdfDocument(scans.text_pdf_page(lines)))
    merged.save(str(path))
    import pikepdf  # noqa: PLC0415 (only this writer sets PDF metadata)

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.docinfo["/Title"] = TITLE
        pdf.docinfo["/Author"] = AUTHOR
        pdf.save(path)


def scan_pdf(path: Path) -> None:
    """An image-only PDF (no text layer), as a scanner writes it."""
    scans.image_pdf([scans.page(SCAN_LINES)], path)


def scan_png(path: Path) -> None:
    scans.save_png(scans.page(SCAN_LINES), path)


def photo_jpg(path: Path) -> None:
    """A JPEG photo of a page with EXIF data (camera make and model)."""
    from PIL import Image  # noqa: PLC0415 (only this writer needs EXIF)

    image = scans.page(PHOTO_LINES).image.convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "Docmill Cameras"  # Make
    exif[0x0110] = "Test Model 1"  # Model
    image.save(path, "JPEG", quality=85, dpi=(scans.DPI, scans.DPI), exif=exif)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CORE = (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title><dc:creator>{author}</dc:creator>'
    "</cp:coreProperties>"
)


def _w_paragraph(text: str, style: str | None = None) -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{props}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def docx_bytes(title: str = TITLE, paragraphs: list[str] | None = None, table: list[list[str]] | None = None) -> bytes:
    """A Word document: a Heading 1, paragraphs and a table, with a title and author in its core properties."""
    cells = "".join(
        "<w:tr>" + "".join(f"<w:tc>{_w_paragraph(c)}</w:tc>" for c in row) + "</w:tr>" for row in (table or TABLE)
    )
    body = (
        _w_paragraph(title, "Heading1")
        + "".join(_w_paragraph(p) for p in (REPORT if paragraphs is None else paragraphs))
        + f"<w:tbl>{cells}</w:tbl><w:sectPr/>"
    )
    styles = (
        f'<w:styles xmlns:w="{_W}"><w:style w:type="paragraph" w:styleId="Heading1">'
        '<w:name w:val="heading 1"/></w:style></w:styles>'
    )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{ct}.document.main+xml"/>'
            f'<Override PartName="/word/styles.xml" ContentType="{ct}.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/></Relationships>',
        )
        zf.writestr(
            "word/_rels/document.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/styles" Target="styles.xml"/></Relationships>',
        )
        zf.writestr("word/styles.xml", '<?xml version="1.0" encoding="UTF-8"?>' + styles)
        zf.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>',
        )
        zf.writestr(
            "docProps/core.xml",
            '<?xml version="1.0" encoding="UTF-8"?>' + _CORE.format(title=escape(title), author=escape(AUTHOR)),
        )
    return out.getvalue()


def report_docx(path: Path) -> None:
    path.write_bytes(docx_bytes())


def slides_pptx(path: Path) -> None:
    from pptx import Presentation  # noqa: PLC0415 (only this writer needs python-pptx)

    deck = Presentation()
    for title, text in SLIDES:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = text
    deck.core_properties.title = SLIDES[0][0]
    deck.save(str(path))


def sheet_xlsx(path: Path) -> None:
    from openpyxl import Workbook  # noqa: PLC0415 (only this writer needs openpyxl)

    book = Workbook()
    sheet = book.active
    sheet.title = "Inventory"
    for row in SHEET:
        sheet.append(row)
    book.properties.title = "Inventory sheet"
    book.save(str(path))


def _libreoffice(source_writer, suffix: str, target: str, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Write a modern file with `source_writer`, then let LibreOffice convert it to `target` at `path`."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice is needed to write this sample: install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{path.stem}{suffix}"
        source_writer(source)
        profile = Path(tmp) / "profile"
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
             "--outdir", tmp, str(source)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        converted = Path(tmp) / f"{path.stem}.{target.split(':')[0]}"
        shutil.move(converted, path)


def report_odt(path: Path) -> None:
    _libreoffice(report_docx, ".docx", "odt", path)


def sheet_xls(path: Path) -> None:
    _libreoffice(sheet_xlsx, ".xlsx", "xls:MS Excel 97", path)


def page_html(path: Path) -> None:
    path.write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Lighthouse keepers</title></head>"
        "<body><nav><a href='/'>Home</a></nav><article><h1>Lighthouse keepers</h1>"
        "<p>Keepers tended the lamps and the fog signals through the night.</p>"
        "<ul><li>Trim the wick</li><li>Wind the clockwork</li></ul>"
        "<table><tr><th>Year</th><th>Keepers</th></tr><tr><td>1890</td><td>3</td></tr></table>"
        "</article><script>alert('x')</script></body></html>",
        "utf-8",
    )


def book_epub(path: Path) -> None:
    chapter = (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
        "<title>Chapter 1</title></head><body><h1>Chapter 1</h1><p>The tides rise twice a day.</p></body></html>"
    )
    opf = (
        '<?xml version="1.0" encoding="utf-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
        'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:identifier id='id'>urn:uuid:8d0b6a70-0000-4000-8000-000000000001</dc:identifier>"
        "<dc:title>The Keeper's Almanac</dc:title><dc:creator>Test Author</dc:creator><dc:language>en</dc:language>"
        "</metadata><manifest><item id='c1' href='chapter1.xhtml' media-type='application/xhtml+xml'/></manifest>"
        "<spine><itemref idref='c1'/></spine></package>"
    )
    container = (
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
        "<rootfiles><rootfile full-path='OEBPS/content.opf' media-type='application/oebps-package+xml'/>"
        "</rootfiles></container>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", container, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("OEBPS/content.opf", opf, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("OEBPS/chapter1.xhtml", chapter, compress_type=zipfile.ZIP_DEFLATED)


def message_eml(path: Path) -> None:
    msg = EmailMessage()
    msg["From"] = "Harbour Inspector <inspector@example.com>"
    msg["To"] = "keeper@example.com"
    msg["Subject"] = "Harbour inspection"
    msg["Date"] = "Tue, 02 Apr 2024 09:15:00 +0000"
    msg["Message-ID"] = "<inspection-1@example.com>"
    msg.set_content("The inspection is on Tuesday morning.\nPlease have the logbook ready.\n")
    msg.add_alternative("<p>The inspection is on <b>Tuesday morning</b>.</p>", subtype="html")
    path.write_bytes(msg.as_bytes())


def letter_rtf(path: Path) -> None:
    path.write_text(
        r"{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}"
        r"{\info{\title Sample RTF letter}}"
        r"\f0\fs24 This is a sample RTF letter\par To the harbour master of Northpoint.\par}",
        "ascii",
    )


def ships_csv(path: Path) -> None:
    path.write_text("Ship,Tonnage,Flag\nAurora,1200,NO\nBorealis,800,IS\n", "utf-8")


def data_json(path: Path) -> None:
    path.write_text(json.dumps({"station_name": "Northpoint", "lamps": 4, "active": True}), "utf-8")


def notebook_ipynb(path: Path) -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Keeper Notebook\n", "Counting lamps."]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [], "source": ['print("lamps")']},
    ]
    nb = {"cells": cells, "metadata": {"title": "Keeper Notebook"}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), "utf-8")


def notes_md(path: Path) -> None:
    path.write_text("# Maintenance notes\n\n- Clean the lantern glass\n- Oil the gears\n", "utf-8")


def korean_txt(path: Path) -> None:
    path.write_text(KOREAN + "\n", "utf-8")


def bundle_zip(path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "sheet.xlsx"
        sheet_xlsx(sheet)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("report.docx", docx_bytes())
            zf.write(sheet, "sheet.xlsx")


def _speech_wav(path: Path, text: str = SPEECH, voice: str = "en-us") -> None:
    """espeak-ng speech resampled by ffmpeg to 16 kHz mono."""
    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is needed to write the speech samples: apt-get install {tool}")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "120", "-w", str(raw), text], check=True, timeout=60)
        _ffmpeg(raw, path, "-ar", "16000", "-ac", "1")


def _ffmpeg(source: Path, target: Path, *args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(source), *args, str(target)],
        check=True,
        timeout=120,
    )


def counting_wav(path: Path) -> None:
    _speech_wav(path)


def _encoded(args: tuple[str, ...]):  # type: ignore[no-untyped-def]
    def write(path: Path) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "speech.wav"
            _speech_wav(wav)
            _ffmpeg(wav, path, "-metadata", "title=Counting", *args)

    return write


def video_mp4(path: Path) -> None:
    """Two seconds of a test pattern with speech, H.264 + AAC."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        _speech_wav(wav)
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10",
             "-i", str(wav), "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)],
            check=True, timeout=120,
        )  # fmt: skip


WRITERS = {
    "pdf/report.pdf": report_pdf,
    "pdf/scan.pdf": scan_pdf,
    "png/scan.png": scan_png,
    "jpg/photo.jpg": photo_jpg,
    "docx/report.docx": report_docx,
    "pptx/slides.pptx": slides_pptx,
    "xlsx/sheet.xlsx": sheet_xlsx,
    "odt/report.odt": report_odt,
    "xls/sheet.xls": sheet_xls,
    "html/page.html": page_html,
    "epub/book.epub": book_epub,
    "eml/message.eml": message_eml,
    "rtf/letter.rtf": letter_rtf,
    "csv/ships.csv": ships_csv,
    "json/data.json": data_json,
    "ipynb/notebook.ipynb": notebook_ipynb,
    "md/notes.md": notes_md,
    "txt/korean.txt": korean_txt,
    "zip/bundle.zip": bundle_zip,
    "wav/counting.wav": counting_wav,
    "mp3/counting.mp3": _encoded(("-codec:a", "libmp3lame", "-b:a", "64k")),
    "m4a/counting.m4a": _encoded(("-codec:a", "aac", "-b:a", "64k")),
    "mp4/clip.mp4": video_mp4,
}
