"""Command line: `python -m analytics report PATH [PATH ...] [options]` (DOMAIN §6).

Exit 0 when the files were read (row problems are listed in the report), 2 with one line
on stderr when a file, the rules, the mapping or the options cannot be used. Never a
traceback: anything unexpected becomes one line and exit 1. The files are read the way the
app reads them, in a child process (`analytics.loading.worker`): a file that crashes the
reader ends that child, and what the libraries print stays in it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date
from pathlib import Path

from analytics import loading, rules
from analytics.errors import LoadError
from analytics.loading import mapping, worker
from analytics.reporting import report
from analytics.rules import evaluation

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage problem is one line (and exit 2) rather than usage + error."""

    def error(self, message: str):
        raise _UsageError(f"{message} (see python -m analytics report --help)")


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
    rep.add_argument(
        "--rules",
        default="standard",
        help="standard, advanced, or the path of a rule-set .toml file (default: standard)",
    )
    rep.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
    rep.add_argument("--sheet", help="the sheet to read in every workbook")
    rep.add_argument("--mapping", help="TOML file mapping source headers to fields")
    rep.add_argument("--format", choices=("json", "text"), default="json")
    return parser


def _as_of(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        if not _ISO_DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise _UsageError(f"--as-of: '{text}' is not a date written YYYY-MM-DD") from None


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


def run_report(args: argparse.Namespace) -> str:
    as_of = _as_of(args.as_of)
    rule_set = _rule_set(args.rules)
    column_mapping = _mapping(args.mapping)
    for text in args.paths:
        path = Path(text)
        if not path.is_file():
            raise LoadError(f"{path.name}: file not found", file=path.name)
    sources = [loading.Source.from_path(Path(text)) for text in args.paths]
    loaded = worker.load_exports(sources, sheet=args.sheet, mapping=column_mapping)
    ev = evaluation.evaluate(loaded.frame, rule_set, as_of)
    result = report.build_report(loaded, ev)
    if args.format == "text":
        return report.render_text(result)
    return json.dumps(result, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        output = run_report(args)
    except _UsageError as exc:
        return _fail(str(exc), EXIT_UNUSABLE)
    except LoadError as exc:  # includes RuleSetError and unreadable files
        return _fail(str(exc), EXIT_UNUSABLE)
    except worker.SettingError as exc:  # a reader limit in the environment is not a number
        return _fail(str(exc), EXIT_UNUSABLE)
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
    sys.exit(main())
