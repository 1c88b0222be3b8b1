"""The message catalogs of the user interface: extract the words, update the catalogs, compile.

    python scripts/catalogs.py update    # code and templates -> messages.pot -> zh/en .po
    python scripts/catalogs.py compile   # .po -> .mo (build products, not in git)

The source words are English. ``update`` fills each new English entry with its
own text (a translator may still reword it) and leaves new Chinese entries
empty for a translator: the test suite fails until every one is translated.
``scripts/setup.sh`` runs ``compile``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = ROOT / "custody" / "translations"
TEMPLATE = CATALOGS / "messages.pot"
LANGS = ("zh", "en")
PYBABEL = Path(sys.executable).with_name("pybabel")


def po_path(lang: str) -> Path:
    """The catalog file of one language."""
    return CATALOGS / lang / "LC_MESSAGES" / "messages.po"


def update() -> None:
    """Extract the words, merge them into both catalogs, and fill the English one."""
    subprocess.run([str(PYBABEL), "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
                    "-o", str(TEMPLATE), "--no-location", "--sort-output", "--omit-header",
                    "--project=Custody", str(ROOT)], check=True, cwd=ROOT)
    for lang in LANGS:
        action = "update" if po_path(lang).exists() else "init"
        subprocess.run([str(PYBABEL), action, "-i", str(TEMPLATE), "-d", str(CATALOGS),
                        "-l", lang, "--no-wrap"] + (["--ignore-obsolete"]
                                                    if action == "update" else []),
                       check=True, cwd=ROOT)
    english = po_path("en")
    with english.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        # A fuzzy entry holds pybabel's guess from a similar English text: never keep it.
        if message.id and (not message.string or "fuzzy" in message.flags):
            message.string = message.id
        message.flags.discard("fuzzy")
    with english.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, sort_output=True)


def compile_all() -> None:
    """Write the .mo file of each catalog (fuzzy entries left out)."""
    for lang in LANGS:
        with po_path(lang).open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        with po_path(lang).with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)


if __name__ == "__main__":
    commands = {"update": update, "compile": compile_all}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        raise SystemExit(f"usage: {sys.argv[0]} {{{'|'.join(commands)}}}")
    commands[sys.argv[1]]()
