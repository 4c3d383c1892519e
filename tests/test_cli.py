"""``python -m emergency <command>``: one command line, each command's docstring its help, old forms kept."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from emergency import __main__ as cli
from emergency import config

ROOT = config.PROJECT_ROOT


def test_usage_lists_every_command_with_its_docstring_summary(capsys):
    assert cli.main([]) == cli.EXIT_USAGE
    out = capsys.readouterr().out
    for name in ("init", "demo", "ingest", "status", "user", "bench"):
        summary = cli.COMMANDS[name].__doc__.strip().splitlines()[0]
        assert f"  {name}" in out and summary in out
    assert cli.main(["--help"]) == cli.EXIT_OK


def test_unknown_command_is_refused_with_the_list(capsys):
    assert cli.main(["frobnicate"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "unknown command 'frobnicate'" in err and "ingest" in err


@pytest.mark.parametrize("name", ["init", "demo", "ingest", "status", "user", "bench"])
def test_each_command_has_help(name, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([name, "--help"])
    assert exit_info.value.code == 0
    assert "usage: python -m emergency" in capsys.readouterr().out


def test_command_help_is_its_docstring(capsys):
    with pytest.raises(SystemExit):
        cli.main(["status", "--help"])
    assert cli.status_command.__doc__.strip().splitlines()[0] in capsys.readouterr().out


def test_bench_import_subcommand_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["bench", "import", "--help"])
    assert exit_info.value.code == 0 and "--rows" in capsys.readouterr().out


@pytest.mark.parametrize(
    "module",
    ["emergency.demo", "emergency.ingest", "emergency.bench", "emergency.ingest.benchmark", "emergency.feed.bench"],
)
def test_old_forms_still_work(module):
    result = subprocess.run(
        [sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_status_through_the_one_command_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "emergency", "status", "--db", str(tmp_path / "none.duckdb")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "no store at" in result.stderr


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_help_has_its_prog_and_docstring(name, capsys):
    """`python -m emergency <command> --help`: prog names the command, the description is its whole docstring."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main([name, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m emergency {name} "), out
    assert inspect.cleandoc(cli.COMMANDS[name].__doc__) in out, out


@pytest.mark.parametrize(
    ("argv", "prog", "option"),
    [
        (["bench", "import"], "python -m emergency bench import", "--rows"),
        (["bench", "feed"], "python -m emergency bench feed", "--stations"),
        (["demo", "--live"], "python -m emergency demo --live", "--step-seconds"),
        (["feed", "add"], "python -m emergency feed add", "--kind"),
    ],
)
def test_sub_forms_help_names_the_whole_command(argv, prog, option, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*argv, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: {prog} ") and option in out, out


def test_the_top_level_help_lists_feed(capsys):
    assert cli.main(["--help"]) == cli.EXIT_OK
    assert "  feed " in capsys.readouterr().out


def test_a_store_file_of_a_newer_duckdb_is_a_message_not_a_traceback(tmp_path):
    """A file whose storage version this DuckDB cannot read (an upgrade gone back): every command says so."""
    import shutil
    import subprocess
    import sys

    from emergency import config

    path = tmp_path / "newer.duckdb"
    # The first block of a store written by DuckDB 2.0.0 (storage version 999).
    shutil.copy(config.PROJECT_ROOT / "tests" / "data" / "duckdb-2.0.0-header.bin", path)
    (tmp_path / "x.csv").write_text("站码,时间,雨量\nG1,2026-06-21 08:00,1\n", encoding="utf-8")
    for command in (["status"], ["ingest", str(tmp_path / "x.csv"), "--kind", "rainfall"]):
        result = subprocess.run(
            [sys.executable, "-m", "emergency", *command, "--db", str(path)],
            cwd=config.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        assert "Traceback" not in result.stderr, result.stderr
        assert "newer DuckDB" in result.stderr, result.stderr
