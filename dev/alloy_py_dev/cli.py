"""``alloy-py`` / ``python -m alloy_py_dev``: command-line tools.

``alloy-py serve``: one local server (one origin) with the static folder
(``web/dist`` by default) and an Edge Network emulator, so a page it serves can
configure alloy-py with ``edgeDomain: "http://127.0.0.1:8080"``. Requests are
listed live at ``/inspector/``. Only its own origin (any loopback name, its port)
and the ``--cors-origin`` ones read its answers; only loopback ``Host`` names (and
the ``--allow-host`` ones) are served.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _serve(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .emulator import EdgeEmulator, load_decisions

    datastreams = {}
    for spec in args.datastream:
        config_id, sep, org_id = spec.partition("=")
        if not sep or not config_id or not org_id:
            parser.error(f"--datastream expects CONFIG_ID=ORG_ID, got {spec!r}")
        datastreams[config_id] = org_id
    mounts = {}
    for spec in args.mount:
        prefix, sep, directory = spec.partition("=")
        if not sep or not Path(directory).is_dir():
            parser.error(f"--mount expects PREFIX=DIR with an existing DIR, got {spec!r}")
        mounts[prefix] = directory
    static: str | None = args.static
    if static is None:
        static = "web/dist" if Path("web/dist").is_dir() else None
    elif not Path(static).is_dir():
        parser.error(f"--static {static}: not a directory")
    decisions = None
    if args.decisions:
        try:
            decisions = load_decisions(args.decisions)
        except (OSError, ValueError) as exc:
            parser.error(f"--decisions {args.decisions}: {exc}")
    try:
        emulator = EdgeEmulator(host=args.host, port=args.port, static_dir=static, mounts=mounts,
                                datastreams=datastreams, decisions=decisions,
                                cors_origins=args.cors_origin, allowed_hosts=args.allow_host,
                                verbose=args.verbose)
    except ValueError as exc:
        parser.error(f"--cors-origin: {exc}")
    except OSError as exc:
        parser.error(f"cannot listen on {args.host}:{args.port}: {exc} (try --port 0)")
    print(f"alloy-py Edge emulator on {emulator.url}", flush=True)
    print(f"  edgeDomain: {emulator.url!r}   inspector: {emulator.url_for('/inspector/')}",
          flush=True)
    if static:
        print(f"  static: {Path(static).resolve()}", flush=True)
    for prefix, directory in emulator.mounts:
        print(f"  {prefix} -> {directory}", flush=True)
    for origin in sorted(emulator.cors_origins):
        print(f"  CORS also for {origin}", flush=True)
    for config_id, org_id in emulator.datastreams.items():
        print(f"  datastream {config_id} -> {org_id}", flush=True)
    print(f"  {len(emulator.decisions)} propositions"
          f" ({args.decisions or 'built-in demo set'}). Ctrl-C stops.", flush=True)
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        print()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="alloy-py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="static files + a local Edge Network emulator")
    serve.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (keep it local)")
    serve.add_argument("--port", type=int, default=8080, help="default 8080; 0 picks a free one")
    serve.add_argument("--static", metavar="DIR",
                       help="folder to serve (default web/dist if it exists)")
    serve.add_argument("--mount", action="append", default=[], metavar="PREFIX=DIR",
                       help="also serve DIR under PREFIX, e.g. /vendor/alloy/=node_modules/@adobe/alloy/dist")
    serve.add_argument("--datastream", action="append", default=[], metavar="CONFIG_ID=ORG_ID",
                       help="accept this datastream (repeatable; the demo one is built in)")
    serve.add_argument("--decisions", metavar="FILE.json",
                       help="propositions to answer from (default: the built-in demo set)")
    serve.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                       help="also let pages of ORIGIN (e.g. http://localhost:3000) read the answers "
                            "(repeatable; the server's own origin always can)")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                       help="also serve requests for Host NAME (repeatable; loopback names always)")
    serve.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args, serve)
    return 2  # pragma: no cover
