"""The deployment files agree with the code: env vars, paths, commands, and the install step.

There is no Docker engine in CI, so the Dockerfile is checked for what can go wrong without one:
a variable the app never reads (a typo silently ignored in production), a database path that is
not on the volume (data lost on every container restart), a unit or service running a command
that does not exist, and an install step that does not produce a working ``xxgk``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from cli.main import _register, cli
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / "xxgk.env.example"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
PACKAGES = ("store", "ingest", "bot", "cli")
VAR = re.compile(r"\bXXGK_[A-Z0-9_]+\b")


def _compose() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _unit(path: Path) -> dict[str, list[str]]:
    """A systemd unit as {key: [values]} (keys repeat: Environment=, ReadWritePaths=)."""
    values: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def _unit_env(unit: dict[str, list[str]]) -> dict[str, str]:
    pairs = [item for value in unit.get("Environment", []) for item in shlex.split(value)]
    return dict(pair.split("=", 1) for pair in pairs)


def _dockerfile_env() -> dict[str, str]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(dict(pair.split("=", 1) for pair in shlex.split(line[4:])))
    return env


def _dockerfile_json(instruction: str) -> list[str]:
    import json

    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(rf"^{instruction}\b.*?(\[.*\])\s*$", text, re.MULTILINE)
    assert match, f"no exec-form {instruction} in the Dockerfile"
    return json.loads(match.group(1))


def _healthcheck() -> list[str]:
    command = _dockerfile_json(r"HEALTHCHECK(?:\s+--[a-z-]+=\S+)*\s+CMD")
    assert command[0] == "xxgk"
    return command


def vars_the_app_reads() -> set[str]:
    """Every ``XXGK_*`` name in the application's code (not its tests)."""
    names: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            names |= set(VAR.findall(path.read_text(encoding="utf-8")))
    return names


def vars_the_deployment_sets() -> dict[str, set[str]]:
    compose_vars: set[str] = set()
    for service in _compose()["services"].values():
        compose_vars |= set(service.get("environment", {}))
    setting = re.compile(r"^\s*#?\s*(XXGK_[A-Z0-9_]+)=", re.MULTILINE)
    return {
        "Dockerfile": {k for k in _dockerfile_env() if k.startswith("XXGK_")},
        "compose.yaml": compose_vars,
        "xxgk.env.example": set(setting.findall(ENV_EXAMPLE.read_text(encoding="utf-8"))),
        **{unit.name: {k for k in _unit_env(_unit(unit)) if k.startswith("XXGK_")} for unit in UNITS},
    }


def test_every_env_var_in_the_deployment_is_read_by_the_app() -> None:
    known = vars_the_app_reads()
    assert "XXGK_DB" in known
    for where, names in vars_the_deployment_sets().items():
        assert names, f"{where} sets no XXGK_ variable"
        assert names <= known, f"{where} sets variables the app never reads: {sorted(names - known)}"


def test_env_example_names_the_bot_settings_and_holds_no_secret() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    for name in ("XXGK_BOT_TOKEN", "XXGK_ALLOWED_CHATS", "XXGK_ALLOWED_USERS", "XXGK_ADMINS"):
        assert re.search(rf"^{name}=", text, re.MULTILINE), f"{name} missing from the example"
    token = re.search(r"^XXGK_BOT_TOKEN=(.*)$", text, re.MULTILINE).group(1)
    assert not re.fullmatch(r"\d{6,12}:[A-Za-z0-9_-]{30,}", token), "the example holds a real-looking token"
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    assert "xxgk.env" in ignored and "*.db" in ignored


def test_database_path_is_on_the_volume() -> None:
    env = _dockerfile_env()
    volumes = _dockerfile_json("VOLUME")
    db = PurePosixPath(env["XXGK_DB"])
    assert str(db.parent) in volumes
    assert PurePosixPath(env["XXGK_DATA_DIR"]).is_relative_to(db.parent)

    compose = _compose()
    for name, service in compose["services"].items():
        service_db = PurePosixPath(service["environment"]["XXGK_DB"])
        assert service_db == db, f"{name}: database path differs from the image's"
        mounts = {m.split(":")[1]: m.split(":")[0] for m in service["volumes"]}
        assert str(db.parent) in mounts, f"{name}: {db.parent} is not a mounted volume"
        assert mounts[str(db.parent)] in compose["volumes"], f"{name}: the data volume is not a named volume"
    sources = {s["volumes"][0].split(":")[0] for s in compose["services"].values()}
    assert len(sources) == 1, "bot and watcher must share one data volume"


def test_watcher_watches_a_mounted_inbox() -> None:
    service = _compose()["services"]["watcher"]
    command = service["command"]
    assert command[:2] == ["xxgk", "watch"]
    targets = [m.split(":")[1] for m in service["volumes"]]
    assert command[2] in targets


def test_systemd_units_write_only_their_state_dir() -> None:
    assert {u.name for u in UNITS} == {"xxgk-bot.service", "xxgk-watch.service"}
    for path in UNITS:
        unit = _unit(path)
        writable = [PurePosixPath(p) for v in unit["ReadWritePaths"] for p in v.split()]
        db = PurePosixPath(_unit_env(unit)["XXGK_DB"])
        assert any(db.is_relative_to(w) for w in writable), f"{path.name}: database outside ReadWritePaths"
        assert unit["User"] == ["xxgk"] and unit["ProtectSystem"] == ["strict"]
        argv = shlex.split(unit["ExecStart"][0])
        assert argv[0].endswith("/bin/xxgk")
        if argv[1] == "watch":
            assert any(PurePosixPath(argv[2]).is_relative_to(w) for w in writable)


def _commands() -> dict[str, list[str]]:
    """Every command line the deployment runs, without the program name."""
    commands = {"Dockerfile CMD": _dockerfile_json("CMD")[1:], "Dockerfile HEALTHCHECK": _healthcheck()[1:]}
    for name, service in _compose()["services"].items():
        assert service["command"][0] == "xxgk"
        commands[f"compose {name}"] = service["command"][1:]
    for path in UNITS:
        commands[path.name] = shlex.split(_unit(path)["ExecStart"][0])[1:]
    return commands


def test_every_command_the_deployment_runs_exists() -> None:
    _register()
    runner = CliRunner()
    for where, argv in _commands().items():
        result = runner.invoke(cli, [argv[0], "--help"])
        assert result.exit_code == 0, f"{where}: `xxgk {argv[0]} --help` failed:\n{result.output}"
        options = re.findall(r"--[a-z][a-z-]*", result.output)
        for arg in argv[1:]:
            if arg.startswith("--"):
                assert arg in options, f"{where}: `xxgk {argv[0]}` has no option {arg}"


def test_healthcheck_command_tells_healthy_from_not(tmp_path: Path) -> None:
    _register()
    runner = CliRunner()
    argv = _healthcheck()[1:]
    missing = runner.invoke(cli, ["--db", str(tmp_path / "none.db"), *argv])
    assert missing.exit_code == 1 and not (tmp_path / "none.db").exists()
    assert runner.invoke(cli, ["--db", str(tmp_path / "x.db"), "status"]).exit_code == 0
    assert runner.invoke(cli, ["--db", str(tmp_path / "x.db"), *argv]).exit_code == 0
    (tmp_path / "bad.db").write_bytes(b"this is not sqlite" * 500)
    assert runner.invoke(cli, ["--db", str(tmp_path / "bad.db"), *argv]).exit_code == 1


def _docker_copies() -> list[str]:
    """The source paths the Dockerfile COPYs into the build (relative to the repo root)."""
    copies = []
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("COPY "):
            copies += shlex.split(line[5:])[:-1]
    return copies


def test_dockerfile_copies_every_package() -> None:
    copied = set(_docker_copies())
    assert {"pyproject.toml", "README.md", *PACKAGES} <= copied
    assert not re.search(r"^USER root", DOCKERFILE.read_text(), re.MULTILINE)
    assert re.search(r"^USER xxgk", DOCKERFILE.read_text(), re.MULTILINE)


@pytest.mark.slow
def test_pip_install_of_the_docker_context_gives_a_working_xxgk(tmp_path: Path) -> None:
    """The Dockerfile's own step: copy what it COPYs, `pip install .`, run `xxgk` from the venv."""
    context = tmp_path / "src"
    context.mkdir()
    for item in _docker_copies():
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, context / item, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, context / item)
    env_dir = tmp_path / "venv"
    python = _venv_seeing_these_dependencies(env_dir)
    pip = [sys.executable, "-m", "pip", "--python", str(python)] if _pip_has_python_option() else None
    base = pip or [str(python), "-m", "pip"]
    install = [*base, "install", "--quiet", "--no-deps", "--disable-pip-version-check", str(context)]
    done = subprocess.run(install, capture_output=True, text=True, timeout=110)
    if done.returncode != 0:  # offline: build with the installed setuptools instead of fetching one
        done = subprocess.run([*install, "--no-build-isolation"], capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stderr[-2000:]

    env = {**os.environ, "PYTHONPATH": ""}
    where = subprocess.run([str(python), "-c", "import store, cli; print(store.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    installed = Path(where.stdout.strip()).parent
    assert installed.is_relative_to(env_dir), f"store imported from {installed}, not the venv"
    assert (installed / "cells.tsv").is_file(), "package data (store/cells.tsv) was not installed"

    xxgk = env_dir / "bin" / "xxgk"
    helped = subprocess.run([str(xxgk), "--help"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert helped.returncode == 0 and "watch" in helped.stdout, helped.stderr
    db = tmp_path / "data" / "xxgk.db"
    db.parent.mkdir()  # the image's VOLUME; a missing folder is refused (xxgk --mkdir creates it)
    checked = subprocess.run([str(xxgk), "--db", str(db), "status"], capture_output=True, text=True,
                             cwd=tmp_path, env=env, timeout=60)
    assert checked.returncode == 0 and "schema" in checked.stdout, checked.stderr


def _venv_seeing_these_dependencies(env_dir: Path) -> Path:
    """A fresh venv (without pip) that imports the dependencies from the interpreter running the
    tests, wherever they live: a ``.pth`` in the venv lists that interpreter's site directories.

    ``system_site_packages=True`` would not do: it inherits the *base* interpreter, so inside an
    activated venv (where ``scripts/test.sh`` installed the dependencies) ``sqlite_utils`` is
    missing.  The listed directories come after the venv's own site-packages, so ``store`` and
    ``cli`` still import from the venv; their ``.pth`` files are not run, so an editable install
    of this checkout there does not leak in either.
    """
    venv.create(env_dir, system_site_packages=False, with_pip=False)
    python = env_dir / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": ""})
    sites = [*site.getsitepackages(), *([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])]
    keep = [s for s in sites if Path(s).is_dir()]  # a venv inside the checkout (`python3 -m venv v`) too
    (Path(own.stdout.strip()) / "_tests_running_env.pth").write_text("\n".join(keep) + "\n", encoding="utf-8")
    return python


def _pip_has_python_option() -> bool:
    """pip ≥ 22.3 can install into another interpreter, so the venv needs no pip of its own."""
    out = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, text=True).stdout
    major, minor = (int(x) for x in out.split()[1].split(".")[:2])
    return (major, minor) >= (22, 3)
