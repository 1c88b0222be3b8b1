"""Names in sentences: a registered name (a facility, a person, a village) set into a sentence
reads well in both languages, whatever script the name is written in.

Chinese sets Latin words and digits apart from the characters around them with a
space (在 Green Valley Plant 会怎样处理), and runs Chinese names straight into the
sentence (在南湖区处理中心会怎样处理); English has its spaces already. So the
catalogs write Chinese sentences with no space around a name, and a template
marks each name with ``| name`` and the sentence with ``| spaced``::

    {{ _("What happens at %(facility)s", facility=treatment.name | name) | spaced }}

``spaced`` puts a space wherever a marked name meets the sentence with a Chinese
character on one side and a Latin letter or digit on the other, and nowhere else:
a name's own text is never changed.
"""

from __future__ import annotations

import re

from markupsafe import Markup

OPEN, CLOSE = "\ue000", "\ue001"  # private-use marks around a name until ``spaced``
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z0-9\u00c0-\u024f]")
_MARKED = re.compile(f"{OPEN}(.*?){CLOSE}", re.S)


def name(value) -> str:
    """Mark a name set into a sentence (see the module's docstring)."""
    return f"{OPEN}{value}{CLOSE}" if value not in (None, "") else ""


def _apart(a: str, b: str) -> bool:
    """Whether two touching characters need a space between them: Chinese against Latin."""
    return bool((_CJK.match(a) and _LATIN.match(b)) or (_LATIN.match(a) and _CJK.match(b)))


def spaced(sentence: str) -> str:
    """The sentence with its marked names set apart where the scripts meet, marks removed."""
    text, parts, last = str(sentence), [], 0
    for found in _MARKED.finditer(text):
        inner = found.group(1)
        before = text[found.start() - 1] if found.start() else ""
        after = text[found.end()] if found.end() < len(text) else ""
        parts.append(text[last:found.start()])
        if before and inner and _apart(before, inner[0]):
            parts.append(" ")
        parts.append(inner)
        if after and inner and _apart(inner[-1], after):
            parts.append(" ")
        last = found.end()
    parts.append(text[last:])
    joined = "".join(parts).replace(OPEN, "").replace(CLOSE, "")
    return Markup(joined) if isinstance(sentence, Markup) else joined
