"""Serve the demo portal in the foreground: ``python -m xxgk.portal [--seed N] [--scale N] [--no-faults]``.

Prints one ``DEMO_PORTAL_<NAME>=<base url>`` line per site (the config/demo.yaml placeholders) and each
site's start URL, then serves until interrupted. ``--config-out`` / ``--truth-out`` write the filled-in
crawler config and the truth (report URL -> title, agency, year, ...) as JSON for separate processes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from pathlib import Path

from xxgk.portal import DemoPortal, placeholder


def _write_json(path: Path, data: object) -> None:
    """Written whole or not at all: a process polling for the file never reads half of it."""
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    part.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xxgk.portal", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=int, default=1, help="multiplies the reports per site (default 1)")
    parser.add_argument("--no-faults", action="store_true", help="no 500-once or slow pages")
    parser.add_argument("--warm", action="store_true", help="render every document before serving")
    parser.add_argument("--config-out", type=Path, help="write the crawler site config (JSON) here")
    parser.add_argument("--truth-out", type=Path, help="write the report truth (JSON) here")
    args = parser.parse_args(argv)

    portal = DemoPortal(seed=args.seed, scale=args.scale, faults=not args.no_faults)
    if args.warm:
        portal.warm()
    portal.start()
    if args.config_out:
        _write_json(args.config_out, portal.config())
    if args.truth_out:
        truth = {
            url: {
                "title": r.title,
                "agency": r.agency,
                "agency_level": r.agency_level,
                "year": r.year,
                "published": r.published,
                "violated": r.violated,
            }
            for url, r in portal.truth.items()
        }
        _write_json(args.truth_out, truth)
    for site in portal.sites:
        print(f"{placeholder(site.name)[2:-1]}={site.base_url}")
    for site in portal.sites:
        print(f"# {site.name} ({site.kind}, {site.region.county}): {' '.join(site.start_urls)}")
    print(f"# {len(portal.truth)} reports, {len(portal.non_reports)} other documents; Ctrl-C to stop", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    portal.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
