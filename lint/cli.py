"""Command line: ``multus-lint [options] PATH...``."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from typing import Any

from multus_lint import __version__
from multus_lint.config import Config, ConfigError, discover_config
from multus_lint.findings import SEVERITIES

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # usage errors exit 2 with a one-line reason
        self.print_usage(sys.stderr)
        sys.stderr.write(f"multus-lint: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    from multus_lint.report import FORMATS

    p = _Parser(
        prog="multus-lint",
        description="Lint Multus CNI manifests for K3s: NetworkAttachmentDefinitions and their CNI "
        "JSON, pod network annotations, the rke2-multus chart values, Multus DaemonSets and K3s config.",
        epilog="Exit codes: 0 no finding at or above --fail-level, 1 findings, 2 usage or "
        "configuration error (or no input could be read).",
    )
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or directories to lint; '-' reads standard input")
    p.add_argument("--format", choices=sorted(FORMATS), default=None, help="output format (default: text)")
    p.add_argument("--fail-level", choices=SEVERITIES, default=None,
                   help="lowest severity that makes the exit code 1 (default: warning)")
    p.add_argument("--select", action="append", default=[], metavar="RULES",
                   help="only these rules: codes, names or prefixes such as ML1 (comma-separated)")
    p.add_argument("--ignore", action="append", default=[], metavar="RULES",
                   help="skip these rules: codes, names or prefixes (comma-separated)")
    p.add_argument("--config", metavar="FILE",
                   help="config file (default: nearest .multus-lint.yaml or pyproject.toml [tool.multus-lint])")
    p.add_argument("--isolated", action="store_true",
                   help="ignore every config file (.multus-lint.yaml, pyproject.toml): defaults only")
    p.add_argument("--stdin-filename", metavar="PATH", help="the path to report for input read from '-'")
    p.add_argument("--no-color", action="store_true", help="never colour the text output")
    p.add_argument("--output-file", metavar="FILE", help="write the report to FILE instead of standard output")
    ci = p.add_argument_group("CI adoption, autofix and rule docs")
    ci.add_argument("--baseline", metavar="FILE",
                    help="report only findings not recorded in FILE (written by --write-baseline)")
    ci.add_argument("--write-baseline", metavar="FILE",
                    help="record every current finding in FILE and exit 0")
    ci.add_argument("--fix", action="store_true",
                    help="fix the mistakes that have one right answer in place; report what is left")
    ci.add_argument("--diff", action="store_true",
                    help="print the fixes --fix would make as a unified diff, write nothing "
                    "(exit 1 when there is something to fix)")
    ci.add_argument("--list-rules", action="store_true",
                    help="list every rule (a table, or JSON with --format json) and exit")
    ci.add_argument("--explain", metavar="RULE", help="explain a rule (code or name) and exit")
    p.add_argument("--version", action="version", version=f"multus-lint {__version__}")
    prof = p.add_argument_group("cluster profile (overrides the config file and discovered K3s config)")
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


def _main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from multus_lint.runner import Options, exit_code, resolve_profile, run

    config = _load_config(args)
    flags = {
        "k3s-version": args.k3s_version, "data-dir": args.data_dir, "nodes": args.nodes,
        "cluster-cidr": args.cluster_cidr, "service-cidr": args.service_cidr,
        "flannel-backend": args.flannel_backend,
    }
    options = Options(paths=args.paths, stdin_filename=args.stdin_filename,
                      select=_split(args.select), ignore=_split(args.ignore),
                      profile_flags={k: v for k, v in flags.items() if v is not None},
                      baseline=None if args.write_baseline else args.baseline)
    if args.print_profile and not args.paths:
        from multus_lint.model.project import Project

        profile = resolve_profile(config, Project(root=".", limits=config.limits), options.profile_flags)
        _print_profile(profile)
        return EXIT_OK
    if args.list_rules or args.explain:
        return _rule_docs(args, parser)
    if not args.paths:
        parser.error("no PATH given (use '-' to read standard input)")
    if args.paths.count("-") > 1:
        parser.error("'-' (standard input) can be given only once")
    result = run(options, config)
    if args.print_profile:
        _print_profile(result.profile)
        return EXIT_OK
    if args.write_baseline:
        from multus_lint.filter import baseline

        count = baseline.write(args.write_baseline, result.findings)
        sys.stderr.write(f"multus-lint: wrote {count} finding{'s' * (count != 1)} to {args.write_baseline}\n")
        return EXIT_OK
    diff = ""
    if args.fix or args.diff:
        from multus_lint.apply_fixes import run_fixes

        result, diff = run_fixes(options, config, result, write=args.fix and not args.diff)
        if args.fix and not args.diff and diff:
            changed = diff.count("\n+++ b/") + diff.startswith("+++ b/")
            sys.stderr.write(f"multus-lint: fixed {changed} file{'s' * (changed != 1)}\n")
    # On GitHub Actions the default is annotations on the pull request's diff.
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    from multus_lint.report import get_reporter

    if args.diff:
        sys.stdout.write(diff)
        sys.stdout.flush()
    out = open(args.output_file, "w", encoding="utf-8") if args.output_file else sys.stdout
    try:
        if args.output_file or not args.diff:
            color = fmt == "text" and not args.no_color and out.isatty() and not os.environ.get("NO_COLOR")
            sources = {s.path: s for s in result.project.sources}
            fixable = 0
            extra: dict[str, Any] = {}
            if fmt == "text":  # the summary line says how many --fix would repair
                from multus_lint.apply_fixes import count_fixable

                fixable = count_fixable(result.findings, sources)
            if fmt == "html":  # the page draws the model: hand it over as plain data
                from multus_lint.model.network_map import report_context

                extra["context"] = report_context(result.scope_models(), result.findings)
            get_reporter(fmt)(result.findings, out, sources=sources, files=result.named_files,
                              color=color, fixable=fixable, **extra)
        out.flush()
    finally:
        if out is not sys.stdout:
            out.close()
    if args.diff:
        return EXIT_FINDINGS if diff else EXIT_OK
    if result.nothing_readable:
        return EXIT_USAGE
    fail_level = args.fail_level or config.fail_level or "warning"
    return exit_code(result.findings, fail_level)


def _rule_docs(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from multus_lint import registry
    from multus_lint.report import rule_docs as docs

    if args.list_rules:
        docs.list_rules(sys.stdout, "json" if args.format == "json" else "text")
        return EXIT_OK
    rule = registry.get(args.explain)
    if rule is None:
        from multus_lint.suggest import hint

        parser.error(f"--explain: unknown rule '{args.explain}'{hint(args.explain, list(registry.iter_rule_names()))}")
    sys.stdout.write(docs.explain(rule))
    return EXIT_OK


def _print_profile(profile: Any) -> None:
    rows = profile.describe()
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    for key, value, source in rows:
        sys.stdout.write(f"{key:<{width}}  {value:<{vwidth}}  ({source})\n")
