"""Command line: ``multus-lint [options] PATH...``.

Parsing (option groups as ``--help`` shows them), then one run: lint, optionally fix, and
write every requested report. Reports are rendered completely in memory before anything is
written, so a failure can never leave a half-written ``--output-file``; files are replaced
atomically.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import sys
from typing import Any

from multus_lint import __version__
from multus_lint.config import Config, ConfigError, discover_config
from multus_lint.findings import SEVERITIES
from multus_lint.records import dataclass

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
HUMAN_FORMATS = ("text", "grouped", "concise", "statistics")  # coloured on a terminal
# The command's runs, kept until os._exit: freeing a large run's objects one by one when
# _main returns took 0.1 s of CPU per 10,000 documents, for a process that ends anyway.
_KEEP: list[Any] | None = None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # usage errors exit 2 with a one-line reason
        self.print_usage(sys.stderr)
        sys.stderr.write(f"multus-lint: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter with its width found as shutil.get_terminal_size finds it, without
    importing shutil (argparse makes a formatter per add_argument; shutil's import, with bz2
    and lzma, was a few ms of every run)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         _terminal_columns() - 2 if width is None else width)


def _terminal_columns() -> int:
    """shutil.get_terminal_size().columns: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns


def build_parser() -> argparse.ArgumentParser:
    from multus_lint.report import FORMATS, PURPOSE

    p = _Parser(
        prog="multus-lint",
        formatter_class=_Formatter,
        description="Lint Multus CNI manifests for K3s: NetworkAttachmentDefinitions and their CNI\n"
        "JSON, pod network annotations, the rke2-multus chart values, Multus DaemonSets and K3s config.",
        epilog="formats:\n" + "\n".join(f"  {name:<11} {PURPOSE[name]}" for name in FORMATS) + "\n\n"
        "Exit codes: 0 no finding at or above --fail-level (or --exit-zero), 1 findings,\n"
        "2 usage or configuration error (or no input could be read).",
    )
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or directories to lint; '-' reads standard input")
    p.add_argument("--version", action="version", version=f"multus-lint {__version__}")

    sel = p.add_argument_group("rules and failing")
    sel.add_argument("--select", action="append", default=[], metavar="RULES",
                     help="only these rules: codes, names or prefixes such as ML1 (comma-separated)")
    sel.add_argument("--ignore", action="append", default=[], metavar="RULES",
                     help="skip these rules: codes, names or prefixes (comma-separated)")
    sel.add_argument("--fail-level", choices=SEVERITIES, default=None,
                     help="lowest severity that makes the exit code 1 (default: warning)")
    sel.add_argument("--exit-zero", action="store_true",
                     help="exit 0 even when there are findings (usage errors still exit 2)")
    sel.add_argument("--config", metavar="FILE",
                     help="config file (default: nearest .multus-lint.yaml or pyproject.toml [tool.multus-lint])")
    sel.add_argument("--isolated", action="store_true",
                     help="ignore every config file (.multus-lint.yaml, pyproject.toml): defaults only")
    sel.add_argument("--stdin-filename", metavar="PATH", help="the path to report for input read from '-'")
    cache = p.add_argument_group("cache")
    cache.add_argument("--cache-dir", metavar="DIR",
                     help="where facts of unchanged files are kept between runs (default: "
                          "$MULTUS_LINT_CACHE_DIR, else .multus-lint_cache at the project root)")
    cache.add_argument("--no-cache", action="store_true",
                     help="read and parse every file again; neither read nor write the cache")

    out = p.add_argument_group("output")
    out.add_argument("--format", "--output-format", dest="formats", action="append", default=[],
                     metavar="FORMAT[:FILE]",
                     help=f"report format: {', '.join(FORMATS)} (default: text; github when "
                     "GITHUB_ACTIONS=true). FORMAT:FILE writes that report to FILE; repeat for "
                     "several reports from one run, e.g. --format sarif:multus-lint.sarif --format github")
    out.add_argument("--output-file", metavar="FILE",
                     help="write the standard-output report to FILE instead")
    out.add_argument("--statistics", action="store_true",
                     help="print a count per rule instead of the findings (the statistics format)")
    out.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="colour the text, grouped, concise and statistics output (default auto: on a "
                     "terminal, off with NO_COLOR; FORCE_COLOR or CLICOLOR_FORCE turn it on)")
    out.add_argument("--no-color", dest="color", action="store_const", const="never",
                     help="same as --color never")
    out.add_argument("-q", "--quiet", action="store_true",
                     help="findings only: no summary, no notes on standard error, no progress bar")
    out.add_argument("--show-files", action="store_true",
                     help="list the files that would be linted, and those skipped, then exit")
    out.add_argument("--show-fixes", action="store_true",
                     help="after the report, list the findings --fix repairs (or repaired)")

    ci = p.add_argument_group("CI adoption and autofix")
    ci.add_argument("--baseline", metavar="FILE",
                    help="report only findings not recorded in FILE (written by --write-baseline)")
    ci.add_argument("--write-baseline", metavar="FILE",
                    help="record every current finding in FILE and exit 0")
    ci.add_argument("--fix", action="store_true",
                    help="fix the mistakes that have one right answer in place; report what is left")
    ci.add_argument("--diff", action="store_true",
                    help="print the fixes --fix would make as a unified diff, write nothing "
                    "(exit 1 when there is something to fix)")

    docs = p.add_argument_group("rule docs")
    docs.add_argument("--list-rules", action="store_true",
                      help="list every rule (a table, or JSON with --format json) and exit")
    docs.add_argument("--explain", metavar="RULE",
                      help="explain a rule (code or name), or list a family (ML1), and exit")

    prof = p.add_argument_group("cluster profile (overrides the config file and discovered K3s config)")
    prof.add_argument("--distro", choices=("k3s", "rke2", "generic"),
                      help="node layout the manifests are for (default k3s, or what the repository "
                           "says: rke2 from an RKE2 config.yaml or a HelmChartConfig of RKE2's own charts, generic "
                           "from Talos or kind configs; rke2: "
                           "/opt/cni/bin, /etc/cni/net.d and RKE2's own rke2-multus; generic: "
                           "containerd's default CNI dirs)")
    prof.add_argument("--k3s-version", metavar="VERSION", help="K3s version, e.g. v1.30.6+k3s1")
    prof.add_argument("--data-dir", metavar="DIR", help="K3s data dir (default /var/lib/rancher/k3s)")
    prof.add_argument("--nodes", metavar="N", help="number of nodes, or 'unknown'")
    prof.add_argument("--cluster-cidr", metavar="CIDRS", help="cluster CIDR(s), comma-separated")
    prof.add_argument("--service-cidr", metavar="CIDRS", help="service CIDR(s), comma-separated")
    prof.add_argument("--flannel-backend", metavar="BACKEND",
                      help="none, vxlan, host-gw or wireguard-native")
    prof.add_argument("--print-profile", action="store_true",
                      help="print the cluster profile in force and where each value came from, then exit")
    return p


@dataclass(repr=False, eq=False)
class Output:
    format: str
    file: str | None  # None: standard output


def parse_outputs(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[Output]:
    """The reports to write: each ``FORMAT[:FILE]``; standard output always gets one."""
    from multus_lint.report import FORMATS

    outputs: list[Output] = []
    for value in args.formats:
        name, sep, file = value.partition(":")
        if name not in FORMATS:
            parser.error(f"--format: unknown format '{name}' (choose from {', '.join(FORMATS)})")
        if sep and not file:
            parser.error(f"--format {value}: no file after ':'")
        outputs.append(Output(name, file or None))
    to_stdout = [o for o in outputs if o.file is None]
    if len(to_stdout) > 1:
        parser.error("--format: only one report can go to standard output; give the others a file "
                     "(FORMAT:FILE)")
    if not to_stdout:
        default = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
        outputs.insert(0, Output(default, None))
    if args.statistics:
        next(o for o in outputs if o.file is None).format = "statistics"
    if args.output_file:
        next(o for o in outputs if o.file is None).file = args.output_file
    files = [o.file for o in outputs if o.file]
    if len(set(files)) != len(files):
        parser.error("--format: two reports name the same file")
    for target in files + ([args.write_baseline] if args.write_baseline else []):
        _check_writable_folder(target, parser)
    return outputs


def _check_writable_folder(target: str, parser: argparse.ArgumentParser) -> None:
    """A report or baseline into a missing folder is a usage error, found before linting."""
    folder = os.path.dirname(os.path.abspath(target))
    if os.path.isdir(target):
        parser.error(f"{target}: is a directory, not a file to write")
    if not os.path.isdir(folder):
        parser.error(f"{target}: folder {os.path.dirname(target) or folder} does not exist")


def use_color(choice: str, stream: Any, env: os._Environ | dict) -> bool:
    """``--color``: always/never as said; auto colours a terminal unless NO_COLOR is set, and
    colours anything when FORCE_COLOR or CLICOLOR_FORCE is set (to anything but 0)."""
    if choice != "auto":
        return choice == "always"
    if env.get("NO_COLOR"):
        return False
    if any(env.get(k) not in (None, "", "0") for k in ("FORCE_COLOR", "CLICOLOR_FORCE")):
        return True
    try:
        return stream.isatty() and env.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _split(values: list[str]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _load_config(args: argparse.Namespace) -> Config:
    from multus_lint.load.discover import named_locations

    if args.isolated and args.config:
        raise ConfigError("--isolated ignores every config file: it cannot be used with --config")
    locations = [loc for loc in named_locations(args.paths, args.stdin_filename) if os.path.exists(loc)]
    return discover_config(locations, args.config, args.isolated)


def main(argv: list[str] | None = None) -> int:
    # What a run builds lives until its report is written: automatic collections would only
    # re-walk it (seconds on large inputs), so the collector is paused until then; by the
    # time it is restored the run's objects are already freed.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _cli(argv)
    finally:
        if enabled:
            gc.enable()


def console() -> None:
    """The ``multus-lint`` command: ``main``, then exit without tearing the heap down.

    Freeing a large run's objects one by one at interpreter exit takes longer than some
    whole runs; the process is ending anyway, so output is flushed and it exits at once.
    """
    global _KEEP
    _KEEP = []
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)


def _cli(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _main(args, parser)
    except ConfigError as exc:
        sys.stderr.write(f"multus-lint: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # never a traceback on a user's terminal; MULTUS_LINT_DEBUG=1 shows it
        if os.environ.get("MULTUS_LINT_DEBUG"):
            raise
        sys.stderr.write(f"multus-lint: internal error: {type(exc).__name__}: {exc} "
                         "(set MULTUS_LINT_DEBUG=1 for details; please report this)\n")
        return EXIT_USAGE


def _note(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        write_stream(sys.stderr, f"multus-lint: {text}\n")


def _start_listing(args: argparse.Namespace) -> None:
    """Start git listing the repository around the named files before the linter's
    modules are imported (load.discover.start_listing): a pre-commit run then waits for
    neither in turn. Only where the run will list it: the context of named files in a
    project whose root is the repository's top (a config file's folder below it is a root
    of its own, walked without git), not an audit of the repository's top."""
    from multus_lint.config import find_config
    from multus_lint.load.discover import find_root, is_repo_root, named_locations, start_listing

    if not args.paths or args.list_rules or args.explain or args.show_files or args.print_profile:
        return
    locations = named_locations(args.paths, args.stdin_filename)
    try:  # the project root as runner.project_root finds it, from the config file's place
        config = None if args.isolated else args.config or find_config(
            [loc for loc in locations if os.path.exists(loc)])
    except ConfigError:
        return  # reported when the config is loaded
    root = find_root(locations, config)
    if root.context and is_repo_root(root.path) and root.path not in locations:
        start_listing(root.path, state=True)  # the cache and git grep both need the index lines


def _main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    _start_listing(args)
    from multus_lint.runner import Options, exit_code, resolve_profile, run

    if args.list_rules or args.explain:
        return _rule_docs(args, parser)
    outputs = parse_outputs(args, parser)
    config = _load_config(args)
    flags = {
        "distro": args.distro, "k3s-version": args.k3s_version, "data-dir": args.data_dir, "nodes": args.nodes,
        "cluster-cidr": args.cluster_cidr, "service-cidr": args.service_cidr,
        "flannel-backend": args.flannel_backend,
    }
    options = Options(paths=args.paths, stdin_filename=args.stdin_filename,
                      select=_split(args.select), ignore=_split(args.ignore),
                      profile_flags={k: v for k, v in flags.items() if v is not None},
                      baseline=None if args.write_baseline else args.baseline,
                      all_scopes=args.print_profile, cache_dir=args.cache_dir,
                      use_cache=not args.no_cache)
    # the reporters of this run need only the findings: a stored run may stand in for it
    options.replay = not (args.fix or args.diff or args.show_fixes or args.print_profile
                          or args.write_baseline or args.show_files
                          or any(o.format == "html" for o in outputs))
    if args.print_profile and not args.paths:
        from multus_lint.model.project import Project

        profile = resolve_profile(config, Project(root=".", limits=config.limits), options.profile_flags)
        _print_profile(profile)
        return EXIT_OK
    if not args.paths:
        parser.error("no PATH given (use '-' to read standard input)")
    if args.paths.count("-") > 1:
        parser.error("'-' (standard input) can be given only once")
    if args.show_files:
        from multus_lint.report.files import show_files
        from multus_lint.runner import project_root

        write_stream(sys.stdout, show_files(args.paths, config, project_root(config, options).path))
        return EXIT_OK
    from multus_lint.report.progress import progress_for

    with progress_for(sys.stderr, enabled=not args.quiet) as progress:
        options.progress = progress
        result = run(options, config)
    if _KEEP is not None:
        _KEEP.append(result)
    if args.print_profile:
        from multus_lint.report.profile import print_run

        print_run(result, sys.stdout)
        seen: set[tuple] = set()
        models = result.scope_models()
        for name, project, _ in models:  # each scope's model holds its charts and entry points
            _print_charts(project, seen)
            _print_entry_points(project, name if len(models) > 1 else None)
        return EXIT_OK
    if args.write_baseline:
        from multus_lint.filter import baseline

        count = baseline.write(args.write_baseline, result.findings)
        _note(args, f"wrote {count} finding{'s' * (count != 1)} to {args.write_baseline}")
        return EXIT_OK
    diff = ""
    fixable_before: list[Any] = []
    if args.fix or args.diff:
        from multus_lint.apply_fixes import fixable_findings, run_fixes

        if args.show_fixes:
            fixable_before = fixable_findings(result.findings, result.project.sources)
        result, diff = run_fixes(options, config, result, write=args.fix and not args.diff)
        if args.fix and not args.diff and diff:
            changed = diff.count("\n+++ b/") + diff.startswith("+++ b/")
            _note(args, f"fixed {changed} file{'s' * (changed != 1)}")
    fail_level = args.fail_level or config.fail_level or "warning"
    if args.diff:
        code = EXIT_FINDINGS if diff else EXIT_OK
    elif result.nothing_readable:
        code = EXIT_USAGE
    else:
        code = exit_code(result.findings, fail_level)
    if args.exit_zero and code == EXIT_FINDINGS:
        code = EXIT_OK
    _write_reports(args, outputs, result, fail_level, code, diff, fixable_before)
    return code


def _write_reports(args: argparse.Namespace, outputs: list[Output], result: Any, fail_level: str,
                   code: int, diff: str, fixable_before: list[Any]) -> None:
    from multus_lint.report import ReportInput, get_reporter

    sources = {s.path: s for s in result.project.sources}
    fixable = 0
    if any(o.format in ("text", "grouped") for o in outputs) and not args.fix:
        from multus_lint.apply_fixes import fixable_findings

        fixable = len(fixable_findings(result.findings, result.project.sources))
    if args.diff:
        write_stream(sys.stdout, diff)
    rendered: list[tuple[Output, str]] = []
    for o in outputs:
        if o.file is None and args.diff:
            continue  # standard output carries the patch
        color = o.file is None and o.format in HUMAN_FORMATS and use_color(args.color, sys.stdout, os.environ)
        run = ReportInput(result.findings, sources=sources, files=result.named_files, color=color,
                          fixable=fixable, quiet=args.quiet, exit_code=code, fail_level=fail_level,
                          baseline_hidden=result.baseline_hidden, baseline_stale=len(result.baseline_stale),
                          context=_html_context(result) if o.format == "html" else None)
        buf = io.StringIO()
        get_reporter(o.format)(run, buf)
        if o.file is None and args.show_fixes:
            from multus_lint.apply_fixes import fixable_findings

            buf.write(_show_fixes(args, fixable_before or fixable_findings(result.findings,
                                                                           result.project.sources)))
        if o.file is None and o.format in ("text", "grouped") and not args.quiet:
            buf.write(_stale_entries(result))
        rendered.append((o, buf.getvalue()))
    for o, text in rendered:  # every report rendered before the first is written
        if o.file is None:
            write_stream(sys.stdout, text)
        else:
            write_file(o.file, text)
    if not args.quiet and not any(o.file is None and o.format in ("text", "grouped") for o in outputs):
        hidden, stale = result.baseline_hidden, len(result.baseline_stale)
        if args.baseline and not args.write_baseline:
            _note(args, f"the baseline hid {hidden} finding{'s' * (hidden != 1)}; "
                        f"{stale} of its entries match nothing")


def _html_context(result: Any) -> dict[str, Any]:
    """The page draws the model: hand it over as plain data."""
    from multus_lint.model.network_map import report_context

    return report_context(result.scope_models(), result.findings)


def _stale_entries(result: Any) -> str:
    from multus_lint.report.escape import printable

    stale = result.baseline_stale
    lines = [f"  {printable(str(e.get('path', '')))}  {e.get('code', '')} [{e.get('rule', '')}] "
             f"{printable(str(e.get('message', '')))}\n" for e in stale[:20]]
    if len(stale) > 20:
        lines.append(f"  ... and {len(stale) - 20} more\n")
    return ("Stale baseline entries:\n" + "".join(lines)) if lines else ""


def _show_fixes(args: argparse.Namespace, fixable: list[Any]) -> str:
    from multus_lint.report.text import headline

    if not fixable:
        return "No fixes available.\n" if not args.fix else "Nothing was fixed.\n"
    title = "Fixed" if args.fix and not args.diff else "Fixable with --fix"
    return f"{title} ({len(fixable)}):\n" + "".join(f"  {headline(f, False)}\n" for f in fixable)


def write_stream(stream: Any, text: str) -> None:
    """Write to a standard stream in its encoding; what it cannot encode (a lone surrogate,
    or non-ASCII on an ASCII terminal) becomes a backslash escape, never an error."""
    if not text:
        return
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # an in-memory stream (tests)
        stream.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
        return
    stream.flush()
    buffer.write(text.encode(stream.encoding or "utf-8", "backslashreplace"))
    buffer.flush()


def write_file(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically: an unpredictable temporary file in
    the same folder (created exclusively, so a planted name cannot redirect it), then
    ``os.replace``; on any failure the old file is left as it was."""
    folder = os.path.dirname(os.path.abspath(path))
    import tempfile  # only when writing: it imports shutil, bz2, lzma, random
    fd, tmp = tempfile.mkstemp(prefix=".multus-lint-report-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8", "backslashreplace"))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _rule_docs(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from multus_lint import registry
    from multus_lint.report import rule_docs as docs

    if args.list_rules:
        fmt = "json" if any(v.partition(":")[0] == "json" for v in args.formats) else "text"
        buf = io.StringIO()
        docs.list_rules(buf, fmt)
        write_stream(sys.stdout, buf.getvalue())
        return EXIT_OK
    rule = registry.get(args.explain)
    if rule is None:
        codes, unknown = registry.expand([args.explain])
        if codes and not unknown:  # a prefix such as ML1: the rules it stands for
            buf = io.StringIO()
            docs.list_rules(buf, "text", sorted(codes))
            write_stream(sys.stdout, buf.getvalue())
            return EXIT_OK
        from multus_lint.suggest import hint

        parser.error(f"--explain: unknown rule '{args.explain}'{hint(args.explain, list(registry.iter_rule_names()))}")
    write_stream(sys.stdout, docs.explain(rule))
    return EXIT_OK


def _print_charts(project: Any, seen: set[tuple] | None = None) -> None:
    """Which chart each values file and release is for: the ML6xx chart rules judge only
    rke2-multus's; the node paths of the other charts identified are judged by their own keys
    (model/other_charts.py)."""
    ids = getattr(project, "chart_ids", [])
    if seen is not None:  # a file in several scopes: listed once
        ids = [(doc, ident) for doc, ident in ids if (doc.source.path, doc.index) not in seen]
        seen.update((doc.source.path, doc.index) for doc, _ in ids)
    if not ids:
        return
    sys.stdout.write("\ncharts (ML6xx chart rules apply to rke2-multus only; other charts' node paths "
                     "are judged by their own keys):\n")
    for doc, ident in ids:
        what = ident.chart or "not identified, no chart findings"
        sys.stdout.write(f"  {doc.source.path}:{doc.name_site().span.line}  {what}  ({ident.reason})\n")


def _print_entry_points(project: Any, scope: str | None = None) -> None:
    """What kustomize, Flux and Argo CD deploy: each entry point, and what is not read
    (remote bases, generators, substituteFrom ...), which is never an error."""
    graph = getattr(project, "graph", None)
    if graph is None or not graph.entries:
        return
    from multus_lint.model.kustomize import describe

    where = f" in scope {scope}" if scope else ""
    sys.stdout.write(f"\nentry points (kustomize, Flux, Argo CD){where}:\n")
    for line in describe(graph):
        sys.stdout.write(f"  {line}\n")


def _print_profile(profile: Any) -> None:
    rows = profile.describe()
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    for key, value, source in rows:
        sys.stdout.write(f"{key:<{width}}  {value:<{vwidth}}  ({source})\n")
