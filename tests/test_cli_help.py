"""Every mlecurate command is documented: help for it and each of its parameters, an example, a README mention."""

from __future__ import annotations

import click
import pytest

from curation.cli import main, mlecurate
from tests.conftest import PROJECT

COMMANDS = sorted(mlecurate.commands)
README = (PROJECT / "README.md").read_text()


def undocumented(name: str, command: click.Command) -> list[str]:
    """What a command's documentation lacks; empty when it has everything."""
    problems = []
    if not command.short_help:
        problems.append("no one-line help (short_help) for `mlecurate --help`")
    if "Example:" not in (command.help or "") or f"mlecurate {name}" not in (command.help or "").split("Example:")[-1]:
        problems.append(f"no 'Example:' paragraph running `mlecurate {name}` in its help")
    problems += [f"parameter {p.name} has no help text" for p in command.params if not getattr(p, "help", None)]
    if f"mlecurate {name}" not in README:
        problems.append("README.md does not mention it")
    return problems


def test_the_commands_are_the_ones_the_readme_documents():
    assert COMMANDS == ["annotate", "curated", "demo-annotations", "export", "generate-competition", "grade",
                        "import-descriptions", "import-leaderboards", "import-mlebench", "metrics", "queue", "serve",
                        "show", "summary"]  # fmt: skip


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented(name):
    assert undocumented(name, mlecurate.commands[name]) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_prints_its_help_with_an_example(name, capsys):
    assert main([name, "--help"]) == 0
    help_text = capsys.readouterr().out
    assert help_text.startswith(f"Usage: mlecurate {name} ")
    assert "Example:" in help_text and f"  mlecurate {name}" in help_text
    for param in mlecurate.commands[name].params:
        assert param.help in " ".join(help_text.split()), f"{name}: help for {param.name} is not shown"


def test_the_group_lists_every_command_with_its_one_line_help(capsys):
    assert main(["--help"]) == 0
    listing = " ".join(capsys.readouterr().out.split())
    for name in COMMANDS:
        assert f"{name} {mlecurate.commands[name].short_help}" in listing


def test_the_documentation_check_catches_a_command_without_help():
    @click.command("frobnicate")
    @click.argument("slug")
    @click.option("--fast", is_flag=True)
    def frobnicate(slug, fast):
        pass

    assert undocumented("frobnicate", frobnicate) == [
        "no one-line help (short_help) for `mlecurate --help`",
        "no 'Example:' paragraph running `mlecurate frobnicate` in its help",
        "parameter slug has no help text",
        "parameter fast has no help text",
        "README.md does not mention it",
    ]


def test_help_needs_no_settings(monkeypatch, capsys):
    monkeypatch.setenv("MLECURATE_LEADERBOARD_MAX_AGE_DAYS", "soon")
    assert main(["queue", "--help"]) == 0
    assert "--min-curators" in capsys.readouterr().out
