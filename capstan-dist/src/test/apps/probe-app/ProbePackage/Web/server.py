"""Test workload for HealthAndProbesTest: an HTTP server whose probe answers the test can switch.

GET /ready and GET /healthz answer 200 or 503; POST /ready/fail, /ready/ok and /healthz/fail switch
them. A new process starts healthy and ready, so a liveness restart heals it.
"""
import http.server
import os

state = {"/ready": True, "/healthz": True}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = state.get(self.path)
        self.reply(404 if ok is None else 200 if ok else 503)

    def do_POST(self):
        path, _, verb = self.path.rpartition("/")
        if path not in state:
            self.reply(404)
            return
        state[path] = verb == "ok"
        self.reply(200)

    def reply(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


port = int(os.environ["CAPSTAN_ENDPOINT_WEB_PORT"])
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
