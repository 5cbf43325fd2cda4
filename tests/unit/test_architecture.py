"""The one dependency rule: the rules import neither Flask nor SQLAlchemy nor the models."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULE_MODULES = [*sorted((ROOT / "negotiation" / "domain").glob("*.py")),
                ROOT / "negotiation" / "clock.py"]
FORBIDDEN = ("flask", "flask_smorest", "flask_wtf", "werkzeug", "sqlalchemy", "alembic",
             "models", "negotiation.adapters", "negotiation.services", "negotiation.api",
             "negotiation.web", "negotiation.app")


def imported_modules(source: str, module: str) -> set[str]:
    """Every module ``source`` (the text of dotted ``module``) imports, wherever it does."""
    package = module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parent = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{parent}.{node.module}" if node.module else parent
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def forbidden_imports(source: str, module: str) -> list[str]:
    return sorted(m for m in imported_modules(source, module)
                  if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))


def dotted(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_the_rule_modules_are_found():
    assert {p.name for p in RULE_MODULES} >= {
        "negotiating.py", "eligibility.py", "caller.py", "events.py", "protocols.py",
        "machine.py", "policy.py", "errors.py", "enums.py", "deadlines.py", "clock.py"}


@pytest.mark.parametrize("path", RULE_MODULES, ids=lambda p: p.name)
def test_a_rule_module_imports_neither_flask_nor_sqlalchemy_nor_models(path):
    assert forbidden_imports(path.read_text(), dotted(path)) == []


@pytest.mark.parametrize("source", [
    "import flask",
    "from sqlalchemy.orm import Session",
    "def f():\n    from models import Card\n",
    "from ..adapters import repository",
    "from .. import services",
    "if True:\n    import sqlalchemy as sa\n",
])
def test_the_checker_catches_a_forbidden_import_wherever_it_hides(source):
    assert forbidden_imports(source, "negotiation.domain.sample") != []


def test_the_checker_allows_the_standard_library_and_sibling_rules():
    source = "import datetime\nfrom . import errors\nfrom negotiation.domain.enums import Role\n"
    assert forbidden_imports(source, "negotiation.domain.sample") == []


def test_importing_the_rules_in_a_fresh_interpreter_loads_neither_flask_nor_sqlalchemy():
    probe = ("import sys\n"
             "import negotiation.domain.negotiating, negotiation.domain.eligibility\n"
             "import negotiation.domain.caller, negotiation.domain.events, negotiation.clock\n"
             "assert 'negotiation.domain.machine' in sys.modules\n"
             "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('flask', 'sqlalchemy', 'models', 'alembic', 'werkzeug'))))\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == ""
