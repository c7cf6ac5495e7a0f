#!/usr/bin/env python3
"""Answers every request with: pid, node, partition ids, method and path (as one line of JSON).

POST /slow?ms=N reads the body and answers after N ms: a request that is in flight when the instance is stopped.
GET /whereis/APP/SVC answers what the agent's local API (CAPSTAN_AGENT_API) resolves APP/SVC to.
"""
import json
import os
import time
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlparse
from urllib.request import urlopen
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one write: the test kills instances under load, and a response cut between its
    # headers and its body has already reached the client through the proxy, so nothing could retry it.
    wbufsize = 1 << 16

    def do_GET(self):
        status = 200
        if self.path == "/healthz":
            body = b"ok\n"
        elif self.path.startswith("/whereis/"):
            app, svc = self.path[len("/whereis/"):].split("/", 1)
            try:
                with urlopen(os.environ["CAPSTAN_AGENT_API"] + "/v1/apps/" + app + "/services/" + svc + "/resolve") as r:
                    body = r.read()
            except HTTPError as e:
                status, body = e.code, e.read()
        else:
            body = json.dumps({"pid": os.getpid(), "node": os.environ.get("CAPSTAN_NODE_NAME"),
                               "partitions": os.environ.get("CAPSTAN_PARTITION_IDS"), "method": self.command,
                               "path": self.path, "forwardedFor": self.headers.get("X-Forwarded-For")}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        upload = self.rfile.read(length)
        url = urlparse(self.path)
        time.sleep(int(parse_qs(url.query).get("ms", ["0"])[0]) / 1000)
        body = json.dumps({"pid": os.getpid(), "node": os.environ.get("CAPSTAN_NODE_NAME"), "method": self.command,
                           "path": self.path, "upload": len(upload)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(os.environ["CAPSTAN_ENDPOINT_WEB_PORT"])), Handler).serve_forever()
