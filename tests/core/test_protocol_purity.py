"""scim_hosts/protocol knows SCIM and JSON, never the product's data: no ORM, no models, no
core, and nothing of scim_hosts above it (docs/architecture.md §4)."""

import ast
from pathlib import Path

from tests.core.test_architecture import imported_modules

PROTOCOL = Path(__file__).resolve().parents[2] / "scim_hosts" / "protocol"
# django-scim2's parts that are bound to Django's ORM or to the adapters above the protocol.
ORM_BOUND_SCIM = {"django_scim.adapters", "django_scim.filters", "django_scim.views"}


def _names(source):
    """``imported_modules`` plus, for ``from a import b``, ``a.b`` (``b`` may be a module:
    ``from django import db``), and a marker for relative imports (they name no package)."""
    yield from imported_modules(source)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                yield "(relative import)"
            elif node.module:
                yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _impure(module):
    parts = module.split(".")
    above_protocol = parts[0] == "scim_hosts" and parts[:2] != ["scim_hosts", "protocol"]
    return (
        module == "(relative import)"
        or parts[:2] == ["django", "db"]
        or "models" in parts
        or parts[0] == "visitor_mgmt"
        or above_protocol
        or ".".join(parts[:2]) in ORM_BOUND_SCIM
    )


def impure_imports(root):
    return [
        f"{path.relative_to(root.parent)}: {module}"
        for path in sorted(root.rglob("*.py"))
        for module in dict.fromkeys(_names(path.read_text(encoding="utf-8")))
        if _impure(module)
    ]


def test_the_protocol_imports_no_orm_no_models_no_core_and_nothing_above_it():
    assert impure_imports(PROTOCOL) == []


def test_the_check_looks_at_the_real_protocol():
    files = {p.name for p in PROTOCOL.rglob("*.py")}
    assert {"schema.py", "paths.py", "patch.py", "errors.py", "projection.py"} <= files


def test_the_check_catches_each_kind_of_impurity(tmp_path):
    pkg = tmp_path / "protocol"
    pkg.mkdir()
    examples = {
        "a.py": "from django.db import models\n",
        "b.py": "from django import db\n",
        "c.py": "from scim_hosts.models import ScimToken\n",
        "d.py": "import visitor_mgmt.services.hosts\n",
        "e.py": "from scim_hosts import sql\n",
        "f.py": "from scim_hosts.adapters.users import SCIMHost\n",
        "g.py": "import importlib\nimportlib.import_module('visitor_mgmt.models')\n",
        "h.py": "from ..models import Host\n",
        "i.py": "from django_scim.adapters import SCIMUser\n",
        "j.py": "from django.db.models import Q\n",
        "ok.py": (
            "import json\nfrom django.http import HttpResponse\n"
            "from django_scim import exceptions\nfrom scim_hosts.protocol.paths import parse_path\n"
            "from scim_hosts.protocol import schema\n"
        ),
    }
    for name, source in examples.items():
        (pkg / name).write_text(source)
    found = impure_imports(pkg)
    assert {line.split(":")[0] for line in found} == {
        f"protocol/{name}" for name in examples if name != "ok.py"
    }
    assert "protocol/j.py: django.db.models" in found
