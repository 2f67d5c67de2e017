"""A worker process for tests: `python -m tests.pipeline.worker_proc URL STAGE HANDLER [options]`.

HANDLER is noop | slow:SECONDS | sandbox:module:function. Stage limits (lease, timeout, memory,
batch) can be overridden so tests run in seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.pipeline.registry import require_stage
from docmill.pipeline.worker import Worker
from tests.pipeline.handlers import NoopHandler, SlowHandler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("stage")
    parser.add_argument("handler")
    parser.add_argument("--lease", type=float, default=None)
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--memory-mb", type=int, default=None)
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--recovery-interval", type=float, default=1.0)
    parser.add_argument("--grace", type=float, default=30.0)
    parser.add_argument("--worker-id", default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    spec = require_stage(args.stage)
    changes: dict[str, object] = {}
    if args.lease is not None:
        changes["lease_s"] = args.lease
    if args.timeout is not None:
        changes["timeout_s"] = args.timeout
    if args.memory_mb is not None:
        changes["memory_limit_mb"] = args.memory_mb
    if args.batch is not None:
        changes["batch_size"] = args.batch
    targets: dict[str, str] = {}
    if args.handler == "noop":
        handler = NoopHandler()
    elif args.handler.startswith("slow:"):
        handler = SlowHandler(float(args.handler.split(":", 1)[1]))
    elif args.handler.startswith("sandbox:"):
        handler = NoopHandler()
        targets[spec.name] = args.handler.split(":", 1)[1]
        changes["sandboxed"] = True
    else:
        sys.exit(f"unknown handler {args.handler}")
    spec = dataclasses.replace(spec, **changes)

    settings = Settings(database_url=args.url, recovery_interval=args.recovery_interval, worker_poll_interval=0.2)
    worker = Worker(
        Database(args.url),
        [spec],
        settings=settings,
        handlers={spec.name: handler},
        handler_targets=targets,
        grace_s=args.grace,
        worker_id=args.worker_id,
    )
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    worker.run_forever()


if __name__ == "__main__":
    main()
