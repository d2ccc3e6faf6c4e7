"""The inbox watcher: files dropped into a folder are ingested and moved out of the way.

Operators (or an scp/rsync job) drop reports into ``INBOX``.  A file is taken only once it is
*stable* — the same size and modification time on two polls in a row — so a half-copied file is
never read.  After ingest it moves to ``INBOX/processed/`` or, when it cannot be read, to
``INBOX/failed/`` with ``<name>.error.txt`` beside it saying why in one line.

Crash safety comes from the order of steps: the report is committed first, the file is moved
second.  A crash between the two leaves the file in the inbox; the next run ingests it again,
the store sees the same content (sha256) and answers ``unchanged``, and the file is moved then.
Nothing is ever written outside the inbox: symlinks are neither followed nor read (a link could
point at /etc/shadow or out of a container volume) — like `xxgk ingest`, the watcher refuses each
one in its own line and moves the link itself to ``failed/`` with its note — and names come from
the directory listing itself, which cannot contain a path separator.  A file dropped in a
subfolder keeps its place: ``inbox/2023/a.pdf`` goes to ``processed/2023/a.pdf``.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from ingest.model import IngestError
from ingest.pipeline import IGNORED_NAMES, IngestOutcome, ingest_bytes, ingest_file, read_report_file
from store.identity.persisted import keep as keep_agency_index

PROCESSED = "processed"
FAILED = "failed"
PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".swp", ".error.txt")
"""Names that copy tools use while a file is still being written, and our own error notes."""

Signature = tuple[int, int]  # (size, mtime_ns)

STORAGE_TROUBLE = (
    "database or disk is full",
    "readonly database",
    "disk I/O error",
    "database is locked",
    "unable to open database",
    "database disk image is malformed",
)
"""SQLite's words for a problem of the database, not of the file.  Such a file stays in the inbox
and is tried again on a later poll (after the operator frees space or fixes permissions):
moving a good report to failed/ because the disk was full would make someone re-send it."""


@dataclass
class Handled:
    """One file the watcher dealt with: where it went and what ingest said."""

    name: str  # path relative to the inbox
    outcome: IngestOutcome
    moved_to: Path | None  # None: left in the inbox (storage trouble, to retry) or already gone

    @property
    def retry(self) -> bool:
        return not self.outcome.ok and (self.outcome.retryable or storage_trouble(self.outcome.error))


@dataclass
class Watcher:
    """Polls one inbox folder.  Keep one instance across polls: it remembers file signatures."""

    inbox: Path
    db: sqlite_utils.Database
    on_file: Callable[[Handled], None] | None = None
    _seen: dict[str, Signature] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.inbox = Path(self.inbox)
        if self.inbox.is_symlink() or not self.inbox.is_dir():
            raise NotADirectoryError(f"收件夹不存在或不是目录 / inbox is not a directory: {self.inbox}")
        self.inbox = self.inbox.resolve()
        for sub in (PROCESSED, FAILED):
            (self.inbox / sub).mkdir(exist_ok=True)

    def poll(self) -> list[Handled]:
        """One look at the inbox: ingest every file whose signature did not change since the
        last poll; remember the others for next time."""
        current = dict(self._candidates())
        stable = [name for name, sig in current.items() if self._seen.get(name) == sig]
        self._seen = {name: sig for name, sig in current.items() if name not in stable}
        handled = []
        for name in sorted(stable):
            result = self._handle(name)
            if result is not None:
                handled.append(result)
                if self.on_file:
                    self.on_file(result)
        if handled:  # the next question loads the agencies' index instead of building it
            keep_agency_index(self.db)
        return handled

    def run_once(self, settle: float = 1.0) -> list[Handled]:
        """Two polls ``settle`` seconds apart: everything that stood still in between is taken."""
        self.poll()
        time.sleep(settle)
        return self.poll()

    def run_forever(self, interval: float = 5.0, should_stop: Callable[[], bool] = lambda: False) -> None:
        while not should_stop():
            self.poll()
            time.sleep(interval)

    # -----------------------------------------------------------------------------------------

    def _candidates(self) -> Iterator[tuple[str, Signature]]:
        """Regular files and symlinks under the inbox (not processed/ or failed/, not hidden)."""
        for dirpath, dirnames, filenames in os.walk(self.inbox, followlinks=False):
            base = Path(dirpath)
            if base == self.inbox:
                dirnames[:] = [d for d in dirnames if d not in (PROCESSED, FAILED)]
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            linked = [d for d in dirnames if (base / d).is_symlink()]  # never walked into
            dirnames[:] = [d for d in dirnames if d not in linked]
            for filename in [*filenames, *linked]:
                if _skipped_name(filename):
                    continue
                path = base / filename
                try:
                    st = path.lstat()
                except OSError:
                    continue  # vanished between listing and stat
                if not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
                    continue  # a link is taken to be refused in its own line (ingest.pipeline)
                yield str(path.relative_to(self.inbox)), (st.st_size, st.st_mtime_ns)

    def _handle(self, name: str) -> Handled | None:
        path = self.inbox / name
        try:
            outcome = self._ingest(path, name)
        except FileNotFoundError:
            return None  # someone took it away: nothing to do
        if not outcome.ok and (outcome.retryable or storage_trouble(outcome.error)):
            self._seen.pop(name, None)  # try again once it has been seen stable again
            return Handled(name=name, outcome=outcome, moved_to=None)
        destination = self.inbox / (PROCESSED if outcome.ok else FAILED)
        moved = _move_into(path, destination, name)
        if not outcome.ok and moved is not None:
            _write_note(moved.with_name(moved.name + ".error.txt"), outcome.error)
        return Handled(name=name, outcome=outcome, moved_to=moved)

    def _ingest(self, path: Path, name: str) -> IngestOutcome:
        """Ingest without following a symlink, even one swapped in after the listing."""
        try:
            data = read_report_file(path)
        except FileNotFoundError:
            raise  # someone took it away
        except (IngestError, OSError):  # a link, too large, unreadable: refused in one line, logged
            return ingest_file(self.db, path, origin="watch", name=name)
        return ingest_bytes(self.db, data, name, origin="watch")


def storage_trouble(message: str) -> bool:
    """True when ingest failed because of the database, not because of the file."""
    lowered = message.lower()
    return any(marker.lower() in lowered for marker in STORAGE_TROUBLE)


def _skipped_name(filename: str) -> bool:
    return filename.startswith(".") or filename in IGNORED_NAMES or filename.endswith(PARTIAL_SUFFIXES)


def _move_into(path: Path, folder: Path, relative: str) -> Path | None:
    """Move ``path`` to ``folder/relative``, keeping the subfolders it was dropped in, never
    overwriting an earlier file of the same name (``name.1.ext``, ``name.2.ext`` …).  None if it
    is already gone.  A subfolder that is (or became) a symlink is not entered: the file goes to
    ``folder`` itself, so nothing is ever moved outside the inbox."""
    target_dir = _safe_subfolder(folder, Path(relative).parent)
    target = target_dir / path.name
    stem, suffix = os.path.splitext(path.name)
    n = 0
    while target.exists() or target.is_symlink():
        n += 1
        target = target_dir / f"{stem}.{n}{suffix}"
    try:
        os.replace(path, target)
    except OSError:  # gone, or the inbox is not writable: the file stays and is retried
        return None
    return target


def _safe_subfolder(folder: Path, sub: Path) -> Path:
    """``folder/sub``, created one real directory at a time; ``folder`` when a part is a link."""
    folder.mkdir(exist_ok=True)
    current = folder
    for part in sub.parts:
        current = current / part
        try:
            current.mkdir(exist_ok=True)
        except OSError:
            return folder
        if current.is_symlink() or not current.is_dir():
            return folder
    return current


def _write_note(path: Path, message: str) -> None:
    """The one-line reason a file failed, for the operator who finds it in failed/."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(message.strip() + "\n")
