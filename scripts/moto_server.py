"""moto's DynamoDB-compatible server, one request at a time.

moto's own `moto_server` serves requests on threads without locking its
DynamoDB backend, so a conditional write's check and write can interleave with
another request's: concurrent conditional updates can both succeed, which real
DynamoDB never allows for one item. Pod's concurrency tests need DynamoDB's
guarantee, so this launcher serves the same moto application behind one lock.

Usage: python scripts/moto_server.py HOST PORT
"""

import sys
import threading

from werkzeug.serving import run_simple
from moto.server import DomainDispatcherApplication, create_backend_app
from moto.moto_server.threaded_moto_server import MotoRequestHandler


class OneRequestAtATime:
    """WSGI middleware: each request is handled, body included, under one lock."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            return list(self.app(environ, start_response))


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    app = OneRequestAtATime(DomainDispatcherApplication(create_backend_app))
    run_simple(host, port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
