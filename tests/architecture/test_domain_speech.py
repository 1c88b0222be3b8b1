"""Services speak the domain: no HTTP and no words for people below ``custody/web``.

A service takes primitives, returns results of ``custody.domain`` and raises the
errors of ``custody.domain.errors``; the web layer alone turns them into HTTP
statuses and the catalog's words. This guards the rule on the source itself.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(path for layer in ("services", "domain")
                 for path in (ROOT / "custody" / layer).rglob("*.py"))

WEB_PACKAGES = {"flask", "flask_babel", "babel", "werkzeug", "jinja2", "spectree", "http",
                "gettext"}
WEB_NAMES = {"abort", "jsonify", "make_response", "render_template", "gettext", "ngettext",
             "lazy_gettext", "_l", "HTTPStatus", "status_code", "HTTPException"}
ALLOWED_IMPORTS = {"werkzeug.security"}  # password hashing, not the web
# Statuses a service could only mean as HTTP (200 and 500 are left out: page sizes use them).
HTTP_STATUSES = {201, 202, 204, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 406,
                 409, 410, 412, 413, 415, 422, 423, 429, 502, 503, 504, 507}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
NAMES_NOT_WORDS = {"南湖区"}  # the default district: a place's name, stored as data


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the docstring constants of the module, its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def problems(path: Path) -> list[str]:
    """What in one module speaks HTTP or words for people."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found += [f"{line}: imports {a.name}" for a in node.names
                      if a.name.split(".")[0] in WEB_PACKAGES and a.name not in ALLOWED_IMPORTS]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if (node.module.split(".")[0] in WEB_PACKAGES and node.module not in ALLOWED_IMPORTS
                    or node.module.startswith("custody.web")):
                found.append(f"{line}: imports from {node.module}")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_":
            found.append(f"{line}: uses _() for words")
        elif isinstance(node, ast.Name) and node.id in WEB_NAMES:
            found.append(f"{line}: uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in WEB_NAMES:
            found.append(f"{line}: uses .{node.attr}")
        elif isinstance(node, ast.Constant) and type(node.value) is int \
                and node.value in HTTP_STATUSES:
            found.append(f"{line}: HTTP status {node.value}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings and CJK.search(node.value) \
                and node.value not in NAMES_NOT_WORDS:
            found.append(f"{line}: words for people {node.value[:30]!r}")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_services_and_the_domain_speak_no_http_and_no_ui_words(path):
    assert problems(path) == []


def test_the_guard_sees_what_it_guards_against(tmp_path):
    """The check itself finds each kind of breach (and takes a docstring for what it is)."""
    bad = tmp_path / "bad.py"
    bad.write_text('"""说明。"""\nfrom flask import abort\nimport http\n\n'
                   'def f():\n    abort(404)\n    _, x = _("Retake it"), 1\n'
                   '    return 422, {"message_zh": "请重新拍照。"}\n', encoding="utf-8")
    found = " | ".join(problems(bad))
    for expected in ("imports from flask", "imports http", "uses abort", "uses _() for words",
                     "HTTP status 404",
                     "HTTP status 422", "words for people"):
        assert expected in found
    assert "说明" not in found


def test_every_error_a_service_raises_is_in_the_one_tree():
    """No error class is defined below the web layer outside ``custody/domain/errors.py``
    (``MalformedRecord``, a fault rather than a caller's mistake, is the one named
    exception)."""
    defined = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    getattr(b, "id", getattr(b, "attr", "")).endswith(("Error", "Exception"))
                    or getattr(b, "id", "") in _tree_names() for b in node.bases):
                defined.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert [d for d in defined if not d.startswith("custody/domain/errors.py")
            and not d.endswith(":MalformedRecord")] == []


def _tree_names() -> set[str]:
    """The class names of the error tree."""
    tree = ast.parse((ROOT / "custody" / "domain" / "errors.py").read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
