"""scripts/test.sh and .ci/run: what a newcomer's machine gets, and what CI proves.

The README's test command must not install ~290 MB of system packages unasked; CI asks for them
and runs the command inside a fresh virtual environment.  The scripts run here for real, with
``apt-get``, ``fc-list`` and ``python3`` replaced by recorders on a PATH of their own, so no
package is installed and the suite does not run itself.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

RECORDER = '#!/bin/bash\necho "{name} $*" >> "$XXGK_FAKE_LOG"\n'


def _bin(tmp_path: Path) -> Path:
    """A PATH with recorders for apt-get, python3 and id (root), no LibreOffice and no CJK font."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("apt-get", "python3"):
        (folder / name).write_text(RECORDER.format(name=name))
    (folder / "id").write_text("#!/bin/bash\necho 0\n")
    (folder / "fc-list").write_text("#!/bin/bash\nexit 0\n")
    for tool in ("grep", "dirname", "bash"):
        real = shutil.which(tool)
        assert real, tool
        os.symlink(real, folder / tool)
    for path in folder.iterdir():
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return folder


def _run(tmp_path: Path, script: str, *args: str, **env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    log = tmp_path / "calls.log"
    log.write_text("")
    environ = {"PATH": str(_bin(tmp_path)), "XXGK_FAKE_LOG": str(log), "HOME": str(tmp_path), **env}
    done = subprocess.run(["/bin/bash", str(ROOT / script), *args], capture_output=True, text=True,
                          env=environ, timeout=60)
    return done, log.read_text().splitlines()


def test_system_packages_are_not_installed_unless_asked(tmp_path: Path) -> None:
    done, calls = _run(tmp_path, "scripts/test.sh", "-k", "something")
    assert done.returncode == 0, done.stderr
    assert not [c for c in calls if c.startswith("apt-get")], calls
    assert done.stdout == "" and done.stderr == ""
    pytest_call = [c for c in calls if " pytest " in f" {c} "]
    assert pytest_call == ["python3 -m pytest -q -p no:cacheprovider -k something"]


@pytest.mark.parametrize("how", ["flag", "env"])
def test_system_packages_are_installed_when_asked(tmp_path: Path, how: str) -> None:
    args, env = (("--with-system-packages", "-x"), {}) if how == "flag" else (("-x",), {"XXGK_TEST_SYSTEM_PACKAGES": "1"})
    done, calls = _run(tmp_path, "scripts/test.sh", *args, **env)
    assert done.returncode == 0, done.stderr
    installs = [c for c in calls if c.startswith("apt-get") and " install " in c]
    assert len(installs) == 1
    assert {"fonts-wqy-microhei", "libreoffice-writer-nogui", "fonts-noto-cjk"} <= set(installs[0].split())
    assert "installing system packages" in done.stdout and "290 MB" in done.stdout
    assert calls[-1] == "python3 -m pytest -q -p no:cacheprovider -x", "the flag is not pytest's"


def test_the_skipped_tests_say_in_one_line_how_to_enable_them(tmp_path: Path) -> None:
    """Without LibreOffice the session ends with one line naming the flag, not one per test."""
    (tmp_path / "test_x.py").write_text(
        "from tests.conftest import needs_libreoffice\n\n"
        "@needs_libreoffice\ndef test_a():\n    pass\n\n@needs_libreoffice\ndef test_b():\n    pass\n"
    )
    (tmp_path / "conftest.py").write_text(
        "import shutil\nshutil.which = lambda *a, **k: None\nimport tests.conftest\n"
        "from tests.conftest import pytest_terminal_summary  # noqa: F401\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                           str(tmp_path)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    hints = [line for line in done.stdout.splitlines() if "--with-system-packages" in line]
    assert len(hints) == 1, done.stdout
    assert "2 tests skipped" in hints[0] and "2 skipped" in done.stdout


def test_ci_runs_the_readme_command_in_a_fresh_venv_with_system_packages() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"Run the tests.*?\n\n    ([^\n]+)\n", readme, re.DOTALL).group(1)
    assert command == "bash scripts/test.sh"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert lines[-1] == command, "CI must run exactly the README's command, last"
    venv_at = next(i for i, line in enumerate(lines) if re.match(r"python3 -m venv ", line))
    activate_at = next(i for i, line in enumerate(lines) if re.match(r"\. .*/bin/activate", line))
    assert venv_at < activate_at < len(lines) - 1
    assert "export XXGK_TEST_SYSTEM_PACKAGES=1" in lines
    assert "--with-system-packages" in readme or "XXGK_TEST_SYSTEM_PACKAGES" in readme
