"""Run the local BPJS VClaim simulator until Ctrl-C."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from guarantors import simulator


class Command(BaseCommand):
    help = "Serve the BPJS VClaim simulator (same protocol as BPJS) on a loopback port."
    requires_system_checks: list = []  # it touches no model, so it works even mid-migration

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to bind (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8089, help="Port (default 8089; 0 picks a free one).")
        parser.add_argument(
            "--slow-seconds",
            type=float,
            default=10.0,
            help=f"How long card {simulator.CARD_SLOW} waits before answering.",
        )
        parser.add_argument(
            "--trickle-interval",
            type=float,
            default=1.0,
            help=f"Seconds between the bytes that cards {simulator.CARD_TRICKLE} and "
            f"{simulator.CARD_TRICKLE_BODY} send.",
        )
        parser.add_argument("--verbose-requests", action="store_true", help="Log every request.")

    def handle(self, *args, **options):
        creds = simulator.credentials()
        server = simulator.SimulatorServer(
            (options["host"], options["port"]),
            slow_seconds=options["slow_seconds"],
            trickle_interval=options["trickle_interval"],
            verbose=options["verbose_requests"],
            **creds,
        )
        # The first line is machine-readable: tests and scripts read the URL from it.
        self.stdout.write(f"BPJS simulator listening on {server.url}")
        self.stdout.write(
            f"Point the app at it with: BPJS_VCLAIM_URL={server.url} BPJS_CONS_ID={creds['cons_id']} "
            f"BPJS_SECRET={creds['secret']} BPJS_USER_KEY={creds['user_key']}"
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
