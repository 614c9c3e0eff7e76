"""Mobile JKN bridge (BPJS Antrean 2.0): the WS RS endpoints Mobile JKN calls, and each facility's bridge settings.

The endpoints book, so they live with the booking core (queueing), not in guarantors (which never
books). The contract is ../shared/reference/antrean-ws.md; README "Mobile JKN bridge" says how a
facility is configured.
"""
