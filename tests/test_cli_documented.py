"""Every ``xxgk`` command and option is documented where a user or an operator looks.

The click group is walked as ``xxgk --help`` sees it (lazily imported subcommands included, and
subgroups recursively).  A command counts as documented when ``README.md`` or
``deploy/README.md`` (the operator's guide) names ``xxgk COMMAND``; an option, when one
paragraph, table row, list item or code line names the command and the option together —
``--json`` somewhere in the README does not document ``xxgk status --json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click

from cli.main import SUBCOMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("README.md", "deploy/README.md")
WHERE = ("add each to the “Command reference” table of README.md (one row per command, naming every "
         "option) or, for an operator's command, to deploy/README.md, in a line or paragraph that names "
         "`xxgk COMMAND` together with the option")


def walk(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """(command path, command) for every command under ``group``, as ``--help`` lists them."""
    ctx = click.Context(group, info_name="xxgk")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"xxgk {' '.join((*path, name))} is listed but cannot be loaded"
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))


def option_names(command: click.Command) -> list[list[str]]:
    """Each option's spellings (``["-q", "--quiet"]``), without the help option."""
    help_names = set(command.get_help_option_names(click.Context(command)))
    return [[*p.opts, *p.secondary_opts] for p in command.params
            if isinstance(p, click.Option) and not help_names & set(p.opts)]


def blocks(text: str) -> list[str]:
    """Paragraphs, list items, table rows, and single lines of code blocks."""
    out: list[str] = []
    para: list[str] = []
    in_code = False
    for line in [*text.splitlines(), ""]:
        stripped = line.strip()
        if stripped.startswith("```"):
            out.append(" ".join(para))
            para, in_code = [], not in_code
        elif in_code or stripped.startswith("|"):
            out.append(stripped)
        elif not stripped or re.match(r"[*-] |\d+\. ", stripped):
            out.append(" ".join(para))
            para = [stripped]
        else:
            para.append(stripped)
    return [b for b in out if b]


def _names_command(block: str, path: tuple[str, ...]) -> bool:
    words = r"\s+".join(map(re.escape, path))
    return re.search(rf"\bxxgk(?:\s+--db\s+\S+)?\s+{words}(?![\w-])", block) is not None


def _names_option(block: str, spellings: list[str]) -> bool:
    return any(re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", block) for s in spellings)


def _display(spellings: list[str]) -> str:
    """The long spelling of an option (``--quiet`` for ``-q, --quiet``)."""
    return next((s for s in spellings if s.startswith("--")), spellings[0])


def undocumented(docs: str) -> list[str]:
    """What ``docs`` does not document, one entry per command or option."""
    parts = blocks(docs)
    # an option of the group itself is documented where it is used: `xxgk --db PATH ...`
    missing = [f"option `xxgk {_display(o)}`" for o in option_names(cli)
               if not any(re.search(rf"\bxxgk\s+{re.escape(s)}(?![\w-])", b) for b in parts for s in o)]
    for path, command in walk(cli):
        about = [b for b in parts if _names_command(b, path)]
        if not about:
            missing.append(f"command `xxgk {' '.join(path)}`")
        missing += [f"option `xxgk {' '.join(path)} {_display(o)}`"
                    for o in option_names(command) if not any(_names_option(b, o) for b in about)]
    return missing


def _docs() -> str:
    return "\n\n".join((ROOT / name).read_text(encoding="utf-8") for name in DOCS)


def test_every_command_and_option_is_documented() -> None:
    missing = undocumented(_docs())
    assert not missing, f"not documented in {' or '.join(DOCS)}: {'; '.join(missing)} — {WHERE}"


def test_the_walk_sees_every_command_and_option() -> None:
    """Lazily imported subcommands are loaded, so their options are checked too."""
    paths = {p for p, _ in walk(cli)}
    assert {(attr,) for _, attr in SUBCOMMANDS} <= paths
    options = {f"{' '.join(p)} {_display(o)}" for p, c in walk(cli) for o in option_names(c)}
    assert {"ingest --quiet", "watch --settle", "bot --config", "demo --no-chat", "ask --today"} <= options


def test_a_missing_command_or_option_is_reported() -> None:
    """The check is not vacuous: take a command's or an option's only mentions out, and it says so."""
    docs = _docs()
    without_settle = "\n".join(ln for ln in docs.splitlines() if "--settle" not in ln)
    assert "option `xxgk watch --settle`" in undocumented(without_settle)
    without_restore = re.sub(r"xxgk\s+restore", "xxgk", docs)
    assert "command `xxgk restore`" in undocumented(without_restore)
    apart = "\n".join(ln.replace("--no-chat", "") if "xxgk demo" in ln else ln for ln in docs.splitlines())
    assert "option `xxgk demo --no-chat`" not in undocumented(docs)
    assert "option `xxgk demo --no-chat`" in undocumented(apart + "\n\nThe `--no-chat` flag.\n")  # not beside `xxgk demo`
