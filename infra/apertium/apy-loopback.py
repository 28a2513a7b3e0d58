#!/usr/bin/python3
"""Run Debian's Apertium APY bound to one address (stock APY listens on every interface).

Usage: apy-loopback.py [--host 127.0.0.1] [--marker TEXT] <apertium-apy arguments...>
The address may also come from WIRE_APY_HOST. --marker is ignored: it only tags the command line
so `wire infra down` can tell its own APY from another. Everything else goes to APY unchanged.
"""
import logging
import os
import sys

import tornado.tcpserver

host = os.environ.get('WIRE_APY_HOST', '127.0.0.1')
argv = sys.argv[1:]
while len(argv) >= 2 and argv[0] in ('--host', '--marker'):
    if argv[0] == '--host':
        host = argv[1]
    argv = argv[2:]

_bind = tornado.tcpserver.TCPServer.bind


def bind_loopback(self, port, address=None, *args, **kwargs):
    # APY calls bind(port) with no address, which tornado reads as "every interface".
    return _bind(self, port, address or host, *args, **kwargs)


tornado.tcpserver.TCPServer.bind = bind_loopback
# One line per request would fill the log during translation benchmarks; 4xx/5xx still show.
if os.environ.get('WIRE_APY_ACCESS_LOG') != '1':
    logging.getLogger('tornado.access').setLevel(logging.WARNING)
# apy.parse_args reads sys.argv as a default argument, i.e. at import: set it before importing.
sys.argv = ['apertium-apy'] + argv
from apertium_apy import apy  # noqa: E402

sys.exit(apy.main())
