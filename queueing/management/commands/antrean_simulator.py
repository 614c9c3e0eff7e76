"""Run the local BPJS Antrean simulator until Ctrl-C (`make run` starts one beside the worker)."""

from __future__ import annotations

import threading

from django.core.management.base import BaseCommand

from queueing.jkn import antrean_simulator as simulator


class Command(BaseCommand):
    help = "Serve the BPJS Antrean (WS BPJS) simulator, same protocol and rules as BPJS, on a loopback port."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8090)
        parser.add_argument("--fail", choices=simulator.FAULTS, help="Answer every request with this fault.")
        parser.add_argument("--verbose-requests", action="store_true", help="Log every request.")

    def handle(self, *args, **options):
        sim = simulator.AntreanSimulator(
            host=options["host"], port=options["port"], verbose=options["verbose_requests"], **simulator.credentials()
        ).come_up()
        sim.fail(options["fail"])
        # The first line is machine-readable: scripts read the URL from it.
        self.stdout.write(f"BPJS Antrean simulator listening on {sim.url}")
        self.stdout.write(f"Point the app at it with: BPJS_ANTREAN_SIMULATOR_URL={sim.url}")
        self.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            sim.stop()
