"""Command line: `python -m analytics report PATH [PATH ...] [options]` (DOMAIN §6) and
`python -m analytics diff --old PATH [PATH ...] --new PATH [PATH ...] [options]` (§7).

Exit 0 when the files were read (row problems are listed in the report), 2 with one line
on stderr when a file, the rules, the mapping or the options cannot be used. Never a
traceback: anything unexpected becomes one line and exit 1. The files are read the way the
app reads them, in a child process (`analytics.loading.worker`), which for the report also
applies the rules and writes it (only the text comes back): a file that crashes the
reader ends that child, and what the libraries print stays in it.
"""

from __future__ import annotations

import contextlib
import os
import sys

from analytics import fork_server

if __name__ == "__main__":
    # The reader's fork server imports the readers while this process imports its own.
    fork_server.SERVER.ensure_running()

import argparse  # noqa: E402 - after the fork server's start, which needs none of them
import json  # noqa: E402
import re  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

from analytics import loading, rules  # noqa: E402
from analytics.errors import LoadError  # noqa: E402
from analytics.loading import mapping, worker  # noqa: E402
from analytics.reporting import changes  # noqa: E402
from analytics.rules import evaluation  # noqa: E402

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage problem is one line (and exit 2) rather than usage + error."""

    def error(self, message: str):
        raise _UsageError(f"{message} (see {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analytics", description="Admissions analytics.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    rep = commands.add_parser(
        "report",
        help="analyse exports and print the report",
        description="Read applicant exports and the certification register, apply a rule "
        "set and print the admissions and renewals report.",
    )
    rep.add_argument("paths", nargs="+", metavar="PATH", help="Excel (.xlsx) or CSV exports")
    _add_reading_options(rep)
    diff = commands.add_parser(
        "diff",
        help="compare two uploads and print what changed",
        description="Read an earlier and a later upload of the same exports, apply one rule "
        "set to both and print what changed between them.",
    )
    for side, when in (("old", "earlier"), ("new", "later")):
        diff.add_argument(
            f"--{side}", nargs="+", required=True, metavar="PATH", help=f"the {when} exports"
        )
    _add_reading_options(diff)
    diff.add_argument(
        "--old-as-of", dest="old_as_of", help="YYYY-MM-DD for the old side (default: --as-of)"
    )
    return parser


def _add_reading_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--rules",
        default=rules.DEFAULT_RULE_SET,
        help=f"{', '.join(rules.BUILT_IN)}, or the path of a rule-set .toml file "
        f"(default: {rules.DEFAULT_RULE_SET})",
    )
    command.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
    command.add_argument(
        "--sheet",
        help="read only this sheet of every workbook (default: every sheet with a header row)",
    )
    command.add_argument("--mapping", help="TOML file mapping source headers to fields")
    command.add_argument("--format", choices=("json", "text"), default="json")


def _as_of(text: str | None, option: str = "--as-of") -> date:
    if text is None:
        return date.today()
    try:
        if not _ISO_DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise _UsageError(f"{option}: '{text}' is not a date written YYYY-MM-DD") from None


def _rule_set(text: str) -> rules.RuleSet:
    if text in rules.BUILT_IN:
        return rules.load_rule_set(text)
    return rules.load_rule_set(Path(text))


def _mapping(text: str | None):
    if text is None:
        return None
    path = Path(text)
    if not path.is_file():
        raise _UsageError(f"--mapping: {path.name}: file not found")
    try:
        return mapping.read_mapping(path)
    except LoadError:
        raise
    except (ValueError, KeyError) as exc:  # a malformed mapping file: say what is wrong
        raise _UsageError(f"--mapping: {path.name}: {exc}") from None


def _sources(paths: list[str]) -> list[loading.Source]:
    for text in paths:
        path = Path(text)
        if not path.is_file():
            raise LoadError(f"{path.name}: file not found", file=path.name)
    return [loading.Source.from_path(Path(text)) for text in paths]


def _load(paths: list[str], sheet: str | None, column_mapping) -> loading.LoadResult:
    return worker.load_exports(_sources(paths), sheet=sheet, mapping=column_mapping)


def run_report(args: argparse.Namespace) -> str:
    """Read, evaluated and written in the reader's child (`worker.report`): the frame does
    not travel back to this process only to be turned into text here."""
    as_of = _as_of(args.as_of)
    rule_set = _rule_set(args.rules)
    column_mapping = _mapping(args.mapping)
    sources = _sources(args.paths)
    return worker.report(sources, rule_set, as_of, args.format, args.sheet, column_mapping)


def run_diff(args: argparse.Namespace) -> str:
    as_of = _as_of(args.as_of)
    old_as_of = _as_of(args.old_as_of, "--old-as-of") if args.old_as_of else as_of
    rule_set = _rule_set(args.rules)
    column_mapping = _mapping(args.mapping)
    sides = []
    for side, paths, side_as_of in (("old", args.old, old_as_of), ("new", args.new, as_of)):
        try:
            loaded = _load(paths, args.sheet, column_mapping)
        except LoadError as exc:
            raise LoadError(f"{side} side: {exc}", file=exc.file) from None
        except OSError as exc:
            name = Path(exc.filename).name if exc.filename else "input"
            raise LoadError(f"{side} side: {name}: cannot be read ({exc.strerror})") from None
        sides.append(evaluation.evaluate(loaded.frame, rule_set, side_as_of))
    result = changes.compare(*sides)
    if args.format == "text":
        return changes.render_text(result)
    return json.dumps(result.to_dict(), indent=2) + "\n"


_COMMANDS = {"report": run_report, "diff": run_diff}


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        output = _COMMANDS[args.command](args)
    except _UsageError as exc:
        return _fail(str(exc), EXIT_UNUSABLE)
    except LoadError as exc:  # includes RuleSetError and unreadable files
        return _fail(str(exc), EXIT_UNUSABLE)
    except worker.SettingError as exc:  # a reader limit in the environment is not a number
        return _fail(str(exc), EXIT_UNUSABLE)
    except worker.ReportFailure as exc:  # the report's own code failed in the reader's child
        return _fail(f"unexpected {exc} while building the report; please report it", EXIT_FAILED)
    except OSError as exc:
        name = Path(exc.filename).name if exc.filename else "input"
        return _fail(f"{name}: cannot be read ({exc.strerror})", EXIT_UNUSABLE)
    except Exception as exc:  # noqa: BLE001 - the contract is "never a traceback"
        return _fail(
            f"unexpected {type(exc).__name__} while building the report; please report it",
            EXIT_FAILED,
        )
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    sys.stdout.write(output)
    return EXIT_OK


def _fail(message: str, code: int) -> int:
    print("error: " + " ".join(message.split()), file=sys.stderr)
    return code


if __name__ == "__main__":
    exit_code = main()
    # Out at once: the interpreter's own tidying (freeing every frame and module one by one)
    # took a tenth of a second or more, and the output is complete. The reader's fork
    # server is ended as at a normal exit.
    fork_server.SERVER.stop()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # a reader that went away (`| head`) has what it wanted
        pass
    except OSError as exc:  # a full disk, say: the output is incomplete
        exit_code = _fail(f"the output could not be written ({exc.strerror})", EXIT_FAILED)
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(exit_code)
