"""One layout in every app (issue 14): a package's `__init__.py` only imports and re-exports,
and every model is importable from its app's `models` under its own name."""

import ast
from importlib import import_module
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
APPS = ["peers", "training", "collaboration", "comparisons", "cms"]


def _logic_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for i, node in enumerate(tree.body):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]:
            continue
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        found.append(f"{where}:{node.lineno}")
    return found


def test_package_init_files_hold_no_logic():
    inits = [
        p for app in APPS for p in (ROOT / app).rglob("__init__.py")
        if "migrations" not in p.parts
    ]
    assert len(inits) > 10
    logic = [where for p in inits for where in _logic_in(p)]
    assert logic == [], "move these into a named module and re-export them: " + ", ".join(logic)


def test_logic_is_found_where_it_is(tmp_path):
    """The check above sees a function in an __init__, and not the imports, docstring and
    __all__ that a package's __init__ may hold."""
    clean = ROOT / "peers/views/__init__.py"
    assert _logic_in(clean) == []
    holder = tmp_path / "__init__.py"
    holder.write_text(clean.read_text() + "\n\ndef helper():\n    return 1\n")
    assert _logic_in(holder) == [f"__init__.py:{len(clean.read_text().splitlines()) + 3}"]


def test_every_model_is_importable_from_its_apps_models():
    for app in ["peers", "training", "collaboration"]:
        models = import_module(f"{app}.models")
        app_models = list(apps.get_app_config(app).get_models())
        assert len(app_models) > 5
        for model in app_models:
            assert getattr(models, model.__name__, None) is model, f"{app}.models.{model.__name__}"
