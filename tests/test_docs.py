"""README.md follows the code: every command, option and report format is documented, and the
choices both command-line faces offer come from the one registry of formats (after sqlite-utils'
tests/test_docs.py)."""

from __future__ import annotations

import argparse
import re
import types
import typing
from enum import Enum
from pathlib import Path

import pytest
from typer.main import get_command

from provenance.cli import options
from provenance.cli.app import app
from provenance.cli.hook import build_parser
from provenance.report import FORMATS, HOOK_FORMATS, REGISTRY

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
ROOT = get_command(app)


def _commands(group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name)), command


COMMANDS = dict(_commands(ROOT))


def _options(command) -> dict[str, object]:
    """Long name -> parameter, for a command's options (typer's --help is added later and not listed)."""
    return {param.opts[0]: param for param in command.params if param.param_type_name == "option"}


OPTIONS = sorted(
    {(name, option) for name, command in COMMANDS.items() for option in _options(command)}
    | {("", option) for option in _options(ROOT)}
)


def _code(text: str) -> str:
    """Everything README shows as code: fenced blocks and `inline` spans."""
    blocks = re.findall(r"```[^\n]*\n(.*?)```", text, re.DOTALL)
    rest = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return "\n".join(blocks + re.findall(r"`([^`\n]+)`", rest))


CODE = _code(README)


def _documented_values(flags: tuple[str, ...]) -> list[set[str]]:
    """The values README writes after one of `flags`, one set per place: `--format a|b` -> {a, b}."""
    names = "|".join(re.escape(flag) for flag in flags)
    found = re.findall(rf"(?<![\w-])(?:{names})[ =]([a-z][\w-]*(?:\|[a-z][\w-]*)*)", CODE)
    return [set(values.split("|")) for values in found]


def _hook_actions() -> dict[str, argparse.Action]:
    return {action.option_strings[0]: action for action in build_parser()._actions if action.option_strings}


def _cli_choices(command: str, option: str) -> tuple[str, ...]:
    """The values an option of a command accepts: the Enum its function's parameter is annotated with."""
    param = _options(COMMANDS[command])[option]
    hints = typing.get_type_hints(COMMANDS[command].callback, include_extras=True)
    enum = typing.get_args(hints[param.name])[0]
    if typing.get_origin(enum) in (typing.Union, types.UnionType):  # Format | None: a value the settings file may give
        enum = next(arg for arg in typing.get_args(enum) if arg is not type(None))
    assert issubclass(enum, Enum), f"{option} of `{command}` offers no fixed list"
    return tuple(member.value for member in enum)


def _cli_default(command: str, option: str):
    default = _options(COMMANDS[command])[option].default
    return default.value if isinstance(default, Enum) else default


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_commands_are_documented_with_help(command):
    assert COMMANDS[command].help, f"`provenance {command}` has no help"
    assert f"provenance {command}" in CODE, f"README does not show `provenance {command}`"


@pytest.mark.parametrize(("command", "option"), OPTIONS)
def test_options_are_documented(command, option):
    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", CODE), (
        f"README does not show {option} (an option of `provenance {command}`)"
    )


def test_hook_options_are_documented_and_are_checks_options():
    hook = set(_hook_actions()) - {"-h"}
    assert hook == set(_options(COMMANDS["check"])) - {"--output"}  # README: the options of `provenance check` except --output


def test_formats_come_from_the_registry():
    assert FORMATS == tuple(REGISTRY) and set(HOOK_FORMATS) <= set(FORMATS)
    assert HOOK_FORMATS == tuple(name for name in FORMATS if REGISTRY[name].in_hook)
    assert {"table", "json", "jsonl", "csv", "html", "line"} <= set(FORMATS)
    assert {"line", "table", "json", "html"} <= set(HOOK_FORMATS)
    for command in ("scan", "compare", "check"):
        assert _cli_choices(command, "--format") == FORMATS, command
    assert tuple(_hook_actions()["--format"].choices) == HOOK_FORMATS
    # not given, the format comes from the settings file, else the face's built-in default
    assert _hook_actions()["--format"].default is None and _cli_default("check", "--format") is None
    assert options.check_defaults(options.HOOK_FORMAT)["format"] == options.HOOK_FORMAT.default == "line"
    assert options.check_defaults()["format"] == "table"


def test_readme_lists_every_format_and_no_other():
    documented = _documented_values(("--format", "-f"))
    assert set(FORMATS) in documented, "README's common options do not list every format"
    assert set(HOOK_FORMATS) in documented, "README does not list the hook's formats"
    for values in documented:
        assert values <= set(FORMATS), f"README lists formats the CLI lacks: {sorted(values - set(FORMATS))}"


@pytest.mark.parametrize("flag", ["--fail-on", "--engine"])
def test_readme_lists_choices_the_cli_has(flag):
    choices = set(_cli_choices("scan", flag))
    documented = _documented_values((flag,))
    assert choices in documented, f"README does not list every {flag} choice"
    assert set().union(*documented) <= choices


def test_hook_and_cli_share_fail_on_choices_and_defaults():
    hook = _hook_actions()
    assert tuple(hook["--fail-on"].choices) == _cli_choices("check", "--fail-on") == _cli_choices("scan", "--fail-on")
    # a check's --fail-on and --max-candidates, not given, come from the settings file or these defaults
    assert hook["--fail-on"].default is None and _cli_default("check", "--fail-on") is None
    assert options.check_defaults()["fail_on"] == "copy"
    assert _cli_default("scan", "--fail-on") == _cli_default("compare", "--fail-on") == "never"
    assert hook["--max-candidates"].default is None and _cli_default("check", "--max-candidates") is None
    assert options.check_defaults()["max_candidates"] == options.MAX_CANDIDATES.default == 10
