"""Run every benchmark module in bench/ (each has a `run()` that prints its own table)."""

import importlib
import os
import pkgutil
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main(selected: list[str]) -> None:
    import django

    from bench import _database, load

    _database.configure()  # BENCH_DATABASE_URL, before Django picks anything by the database vendor
    django.setup()
    _database.name_throwaway()

    package = importlib.import_module("bench")
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_"))
    for name in names:
        if selected and name not in selected:
            continue
        module = importlib.import_module(f"bench.{name}")
        print(f"\n== bench.{name}: {(module.__doc__ or '').strip().splitlines()[0]}")
        print(f"-- start: {load()}", flush=True)
        module.run()
        print(f"-- end: {load()}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
