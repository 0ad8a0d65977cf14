#!/usr/bin/python3
"""docs/openapi.yaml against a real `edict serve`: starts the server (loopback, any free port, a SQLite ledger in a
temporary folder), sends a request of every kind, and checks each answer against the schema the document gives for
its endpoint and status (JSON Schema, with OpenAPI's `nullable` read as "or null"). Every operation's statuses and
every $ref must resolve.

    tests/serve/openapi_check.py EDICT_BINARY SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import jsonschema
import yaml

edict, source = sys.argv[1], sys.argv[2]
spec = yaml.safe_load(open(os.path.join(source, "docs/openapi.yaml")))
assert spec["openapi"].startswith("3.0"), spec["openapi"]


def resolve(node):
    """Inlines $refs and turns OpenAPI 3.0's `nullable: true` into a JSON Schema type that allows null."""
    if isinstance(node, list):
        return [resolve(x) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = spec
        for part in node["$ref"].split("/")[1:]:
            target = target[part]
        return resolve(target)
    out = {k: resolve(v) for k, v in node.items() if k not in ("nullable", "example", "examples")}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        elif "oneOf" in out:
            out["oneOf"] = out["oneOf"] + [{"type": "null"}]
    return out


def response_schema(method, path, status):
    responses = spec["paths"][path][method.lower()]["responses"]
    response = resolve(responses[str(status)])
    content = response["content"]
    return content.get("application/json", {}).get("schema")


with tempfile.TemporaryDirectory() as tmp:
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "cache"))
    err = open(os.path.join(tmp, "serve.err"), "w+")
    server = subprocess.Popen([edict, "serve", os.path.join(source, "policies/us_ear_timeline.edict"), "--listen",
                               "127.0.0.1:0", "--ledger", os.path.join(tmp, "ledger.db")],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env)
    port = None
    for _ in range(1200):  # the JIT compiles the policy first
        err.seek(0)
        log = err.read()
        if "listening on http://127.0.0.1:" in log:
            port = int(log.split("listening on http://127.0.0.1:")[1].split(" ")[0])
            break
        if server.poll() is not None:
            break
        time.sleep(0.1)
    if port is None:
        server.kill()
        err.seek(0)
        sys.exit("edict serve did not start:\n" + err.read())

    def request(method, path, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=body.encode() if body is not None else None)
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    lines = [l for l in open(os.path.join(source, "examples/shipments.jsonl")).read().splitlines() if l]
    many = ",".join(lines)
    cases = [
        ("POST", "/v1/decide", '{"shipment":' + lines[0] + "}", 200),
        ("POST", "/v1/decide", '{"explain":true,"shipments":[' + many + "]}", 200),
        ("POST", "/v1/decide", '{"record":true,"shipments":[' + ",".join(lines[:6]) + "]}", 200),
        ("POST", "/v1/decide", '{"record":true,"explain":true,"shipments":[' + ",".join(lines[:6]) + "]}", 200),
        ("POST", "/v1/decide", '{"shipment":' + lines[0].replace('"quantity": 256', '"quantity": 257') +
         ',"record":true}', 409),
        ("POST", "/v1/decide", '{"shipment":{"id":"a",', 400),
        ("POST", "/v1/decide", '{"shipments":[{"id":"a","destination":"Germany"}]}', 422),
        ("POST", "/v1/decide", '{"shipment":' + lines[1] + ',"recrod":true}', 422),
        ("POST", "/v1/explain", '{"shipment":' + lines[3] + "}", 200),
        ("POST", "/v1/explain", '{"shipment":' + lines[3] + ',"as_of":"2023-01-01"}', 200),
        ("GET", "/v1/policy", None, 200),
        ("GET", "/healthz", None, 200),
    ]
    failures = 0
    try:
        for method, path, body, expected in cases:
            status, text = request(method, path, body)
            if status != expected:
                failures += 1
                print(f"FAIL {method} {path}: status {status}, expected {expected}: {text[:300]}")
                continue
            schema = response_schema(method, path, status)
            try:
                jsonschema.Draft4Validator(schema).validate(json.loads(text))
                print(f"ok {method} {path} {status}")
            except jsonschema.ValidationError as e:
                failures += 1
                print(f"FAIL {method} {path} {status}: {e.message} at {list(e.absolute_path)}")
        status, text = request("GET", "/metrics")
        if status != 200 or "edict_policy_info{" not in text:
            failures += 1
            print(f"FAIL GET /metrics: {status}")
        # Every operation's responses resolve, and each JSON one has a schema.
        for path, item in spec["paths"].items():
            for method, op in item.items():
                for status, response in op["responses"].items():
                    r = resolve(response)
                    assert "description" in r, (path, method, status)
                    for media, content in r.get("content", {}).items():
                        assert "schema" in content, (path, method, status, media)
    finally:
        server.terminate()
        code = server.wait(timeout=120)
    if code != 0:
        failures += 1
        print(f"FAIL edict serve exited {code}")
    print(f"{len(cases) + 1 - failures} of {len(cases) + 1} answers match docs/openapi.yaml")
    sys.exit(1 if failures else 0)
