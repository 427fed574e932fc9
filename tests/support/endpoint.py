#!/usr/bin/env python3
"""A real HTTP endpoint for the widget's browser tests (stdlib only).

POST /api/v1/responses   records body and headers, answers 201 (200 for a repeated id)
POST /reject             answers 422 with an error on answers.sarana
POST /unavailable        answers 503 with Retry-After
POST /flaky              answers 503 to the first two attempts of each id, then stores it
GET  /last               the last recorded POST as JSON: {"path", "headers", "body"}
GET  /count              how many POSTs were recorded so far
GET  /posts?id=ID        every recorded POST whose Idempotency-Key is ID, oldest first
GET  /config/NAME        serves tests/fixtures/NAME
Every reply carries CORS headers, so the test page (another origin) can call it.
Usage: endpoint.py PORT
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
RECORDED = []
SEEN_IDS = set()
FLAKY = {}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def cors(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Idempotency-Key")
        self.send_header("Access-Control-Expose-Headers", "Retry-After")

    def reply(self, status, body=b"", content_type="application/json", extra=()):
        self.send_response(status)
        self.cors()
        for key, value in extra:
            self.send_header(key, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_OPTIONS(self):
        self.reply(204)

    def do_GET(self):
        if self.path == "/last":
            last = RECORDED[-1] if RECORDED else None
            return self.reply(200, json.dumps(last).encode())
        if self.path == "/count":
            return self.reply(200, json.dumps(len(RECORDED)).encode())
        if self.path.startswith("/posts?"):
            wanted = parse_qs(urlparse(self.path).query).get("id", [""])[0]
            posts = [p for p in RECORDED if p["headers"].get("idempotency-key") == wanted]
            return self.reply(200, json.dumps(posts).encode())
        if self.path.startswith("/config/"):
            name = os.path.basename(self.path)
            path = os.path.join(FIXTURES, name)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    return self.reply(200, f.read())
        self.reply(404, b'{"error":"not found"}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        RECORDED.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        if self.path == "/reject":
            errors = {"errors": [{"field": "answers.sarana", "code": "out_of_range", "limit": 4}]}
            return self.reply(422, json.dumps(errors).encode())
        if self.path == "/unavailable":
            return self.reply(503, b"{}", extra=[("Retry-After", "30")])
        if self.path == "/flaky":
            response_id = (json.loads(body) if body.startswith("{") else {}).get("id")
            FLAKY[response_id] = FLAKY.get(response_id, 0) + 1
            if FLAKY[response_id] <= 2:
                return self.reply(503, b"{}", extra=[("Retry-After", "1")])
        try:
            response_id = json.loads(body)["id"]
        except (ValueError, KeyError, TypeError):
            return self.reply(400, b'{"error":"malformed"}')
        status = 200 if response_id in SEEN_IDS else 201
        SEEN_IDS.add(response_id)
        self.reply(status, json.dumps({"id": response_id}).encode())


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 18931
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
