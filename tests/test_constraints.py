"""constraints.txt, the versions every install takes (`make lock` writes it; the Makefile's installs pass it to pip
with ``-c``): it pins every requirement of pyproject.toml, each pin within the range pyproject.toml asks for, and the
environment the tests run in is the one it pins."""

from __future__ import annotations

import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import PROJECT


def pins(text: str) -> dict[str, str]:
    found = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            name, equals, version = line.partition("==")
            assert equals and version, f"constraints.txt line {number}: {line!r} is not name==version"
            found[canonicalize_name(name)] = version
    return found


def requirements() -> list[Requirement]:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return [Requirement(r) for r in listed]


def test_every_requirement_is_pinned_within_its_range():
    pinned = pins((PROJECT / "constraints.txt").read_text())
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"constraints.txt pins no {requirement.name} (pyproject.toml): run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {requirement.name}=={pinned[name]}, outside pyproject.toml's {requirement}: "
            "run `make lock`"
        )


def test_the_environment_is_the_pinned_one():
    pinned = pins((PROJECT / "constraints.txt").read_text())
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    wrong = {name: (version, installed.get(name)) for name, version in pinned.items() if installed.get(name) != version}
    assert not wrong, f"installed versions differ from constraints.txt (pinned, installed): {wrong}; run `make setup`"


def test_a_line_that_is_not_a_pin_is_named():
    with pytest.raises(AssertionError, match="line 3: 'numpy>=2' is not name==version"):
        pins("# a comment\npandas==2.2.0\nnumpy>=2\n")
