"""CSV files as spreadsheets read them: cells that cannot start a formula,
Danish Excel's dialect, and the encodings Excel saves in.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``,
``+``, ``-`` or ``@`` (or a tab, a line break or NUL) as a formula, so a
contact named ``=HYPERLINK("http://evil","x")`` would arrive as a live link.
As OWASP's CSV-injection guidance says, such a cell is written with a
leading ``'``: a spreadsheet shows it as text.  Phone numbers such as
``+45 12 34 56 78`` get it too; Excel would otherwise read them as a sum
(``#NAME?``) or a number without its ``+``.  Reading a file back,
``from_cell`` takes off exactly the ``'`` that ``to_cell`` added, so an
export imports unchanged; a cell that starts with ``'`` followed by
anything else (``'t Hooft``) is left alone both ways.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from handlers.errors import Invalid

FORMULA_START = "=+-@\t\r\n\0"
QUOTE = "'"
_ESCAPED = FORMULA_START + QUOTE  # what a leading quote of ours stands before
BOM = "\ufeff"
# In a text file only tab and line ends are control characters; NUL and
# the others mean a binary file (a spreadsheet, an image) was given.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def to_cell(value) -> str:
    """``value`` as a cell that a spreadsheet shows as text."""
    text = "" if value is None else str(value)
    # A cell that from_cell would shorten gets a quote too, so that it survives the round trip.
    if text and (text[0] in FORMULA_START or from_cell(text) != text):
        return QUOTE + text
    return text


def from_cell(text: str) -> str:
    """A cell as it was before ``to_cell``."""
    return text[1:] if len(text) > 1 and text[0] == QUOTE and text[1] in _ESCAPED else text


def write_csv(rows: Iterable[Sequence], excel: bool = False) -> str:
    """Rows as CSV text, every cell through ``to_cell``.  ``excel``: the
    dialect Danish Excel opens with a double click, ``;`` between cells
    (``,`` is the decimal mark there) and a byte-order mark so that it
    reads UTF-8 and shows æ, ø and å."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if excel else ",", lineterminator="\n")
    for row in rows:
        writer.writerow([to_cell(value) for value in row])
    return (BOM if excel else "") + out.getvalue()


def decode(data: bytes, name: str) -> str:
    """The text of a CSV file: UTF-8 with or without a byte-order mark,
    else Windows-1252, the "ANSI" that Excel's plain "CSV" saves in on a
    Danish Windows; ``Invalid`` naming the file if it is neither or not text."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise Invalid("csv.not_text", file=name) from None
    if _NOT_TEXT.search(text):
        raise Invalid("csv.not_text", file=name)
    return text
