"""The core never depends on the directory connector (docs/architecture.md §2) nor on single
sign-on:
both depend on the core, never the other way round."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "visitor_mgmt"
FORBIDDEN = {"scim_hosts", "django_scim", "sso", "authlib"}


def imported_modules(source):
    """Every module a source file imports, including importlib/__import__ calls."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if name in {"import_module", "__import__", "import_string"} and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield arg.value


def forbidden_imports(root):
    bad = []
    for path in sorted(root.rglob("*.py")):
        for module in imported_modules(path.read_text(encoding="utf-8")):
            if module.split(".")[0] in FORBIDDEN:
                bad.append(f"{path.relative_to(root.parent)}: {module}")
    return bad


def test_core_never_imports_the_scim_connector():
    assert forbidden_imports(CORE) == []


def test_the_check_catches_each_kind_of_import(tmp_path):
    pkg = tmp_path / "visitor_mgmt"
    pkg.mkdir()
    (pkg / "a.py").write_text("import scim_hosts.models\n")
    (pkg / "b.py").write_text("from django_scim import views\n")
    (pkg / "c.py").write_text("import importlib\nimportlib.import_module('scim_hosts.tokens')\n")
    (pkg / "d.py").write_text("from visitor_mgmt import models\nimport django\n")
    (pkg / "e.py").write_text("from sso.services import resolve_user\n")
    (pkg / "f.py").write_text("import importlib\nimportlib.import_module('sso.oidc')\n")
    assert forbidden_imports(pkg) == [
        "visitor_mgmt/a.py: scim_hosts.models",
        "visitor_mgmt/b.py: django_scim",
        "visitor_mgmt/c.py: scim_hosts.tokens",
        "visitor_mgmt/e.py: sso.services",
        "visitor_mgmt/f.py: sso.oidc",
    ]


SSO = CORE.parent / "sso"


def test_single_sign_on_and_the_scim_connector_never_import_each_other():
    def imports_of(root, prefix):
        return [
            f"{path.relative_to(root.parent)}: {module}"
            for path in sorted(root.rglob("*.py"))
            for module in imported_modules(path.read_text(encoding="utf-8"))
            if module.split(".")[0] == prefix
        ]

    assert imports_of(SSO, "scim_hosts") == []
    assert imports_of(CORE.parent / "scim_hosts", "sso") == []


def test_the_check_looks_at_the_real_core():
    files = {p.name for p in CORE.rglob("*.py")}
    assert {"models.py", "middleware.py", "admin.py"} <= files
