"""The dependency direction of DESIGN.md is checked by `make lint` (import-linter, pyproject.toml):
a channel importing another channel, or the core importing a channel, fails it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("contactcenter", "ivr", "casework", "outreach")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_its_contracts(tree):
    result = _lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("casework/_probe.py", "from outreach.models import Engagement\n", "Channels do not import each other BROKEN"),
        ("contactcenter/_probe.py", "import ivr.flow\n", "The core imports no channel BROKEN"),
        ("contactcenter/models/_probe.py", "from contactcenter import selectors\n", "Core layers"),
    ],
)
def test_an_import_against_the_design_fails_lint(tree, module, line, broken):
    (tree / module).write_text(line)
    result = _lint_imports(tree)
    assert result.returncode == 1
    assert broken in result.stdout


CHANNEL_URL_NAME = re.compile(r"""["'](ivr|casework|outreach):""")


def test_the_core_names_no_channel_url():
    """A URL name is a string the import linter cannot see: the core builds a channel's URLs only from
    the names the channel hands in (contactcenter.telephony.gateway.webhooks_register)."""
    named = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "contactcenter").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if CHANNEL_URL_NAME.search(line)
    ]
    assert not named, "\n".join(named)


def test_the_workflow_diagrams_in_the_docs_are_drawn_from_the_tables():
    done = subprocess.run(
        [sys.executable, "scripts/workflow_diagrams.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
