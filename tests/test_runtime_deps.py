"""A production install carries no reportlab: it only typesets fixtures and samples (ingest/render/).

The check runs in a fresh interpreter where importing reportlab raises, as it would on an install
without the test extra; every runtime module must still import and ``xxgk demo`` (which reads the
prebuilt bot/samples/reports) must still run end to end.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_PACKAGES = ("store", "ingest", "bot", "cli")

BLOCK_REPORTLAB = """
import importlib.abc, sys

class _NoReportlab(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "reportlab" or name.startswith("reportlab."):
            raise ModuleNotFoundError("No module named 'reportlab' (blocked by test)", name=name)
        return None

for _name in [n for n in sys.modules if n == "reportlab" or n.startswith("reportlab.")]:
    del sys.modules[_name]
sys.meta_path.insert(0, _NoReportlab())
"""

IMPORT_ALL = BLOCK_REPORTLAB + """
import importlib, pkgutil
names = []
for package in {packages!r}:
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        if info.name == "ingest.render" or info.name.startswith("ingest.render."):
            continue
        importlib.import_module(info.name)
        names.append(info.name)
print(len(names))
assert "reportlab" not in sys.modules
try:
    import reportlab  # noqa: F401
except ModuleNotFoundError:
    print("blocked")
"""

RUN_DEMO = BLOCK_REPORTLAB + """
import sys
from cli.main import main
sys.argv = ["xxgk", "demo", "--db", sys.argv[1], "--no-chat"]
try:
    main()
except SystemExit as stop:
    if stop.code not in (0, None):
        raise
assert "reportlab" not in sys.modules
"""


def _python(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env_path = str(ROOT)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_reportlab_is_not_a_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = [dep.lower() for dep in project["dependencies"]]
    assert not [dep for dep in runtime if dep.startswith("reportlab")]
    test_extra = [dep.lower() for dep in project["optional-dependencies"]["test"]]
    assert [dep for dep in test_extra if dep.startswith("reportlab")]


def test_every_runtime_module_imports_without_reportlab(tmp_path: Path) -> None:
    done = _python(IMPORT_ALL.format(packages=RUNTIME_PACKAGES), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    count, blocked = done.stdout.split()
    assert int(count) > 50  # the walk really found the runtime modules
    assert blocked == "blocked"  # and the block really works


def test_demo_runs_without_reportlab(tmp_path: Path) -> None:
    done = _python(RUN_DEMO, str(tmp_path / "demo.db"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    assert (tmp_path / "demo.db").stat().st_size > 0
    assert "Traceback" not in done.stderr
