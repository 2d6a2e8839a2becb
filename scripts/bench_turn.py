#!/usr/bin/env python3
"""The voice turn as the user waits for it: the skill binary, as Lambda builds it, under the
Lambda Runtime API emulator of scripts/bench_cold_start.py, on DynamoDB (the local
AWS-compatible server), with the identity provider (a pod-local) answering after a set delay
per call (pod-local's LOCAL_IDP_DELAY_MS and LOCAL_IDP_PASSWORDLESS_DELAY_MS).

One warm instance; after one turn to warm it, --turns confirmed orders, each three Alexa
requests in one session, as a user speaks them:
  recap      "get me a large pepperoni pizza with mushrooms"  -> the recap and its question
  order      "yes"                                             -> the order stored, the code sent
  authorize  "authorize order <the code>"                      -> the order confirmed
The code is read from the identity provider's outbox; the session attributes of each answer go
into the next request, as Alexa carries them.

Per request it measures, from the moment the runtime handed the event out (GET /next):
  answer       until the function posted its answer (what Lambda bills, and what the user waits
               for once the request reaches the skill);
  progressive  until its progressive response reached this script's double of Alexa's Directive
               API (POST /v1/directives), i.e. when the user would start to hear "one moment";
and reports p50/p99 per request, with the delays it was run with. Python 3.11, stdlib only.

    python3 scripts/bench_turn.py --bin-dir DIR --events DIR --env-file FILE \\
        --auth0 http://127.0.0.1:PORT/auth0 --turns 60 --label delayed --out turn.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cold_start as runtime  # noqa: E402 - the Runtime API emulator, shared

REQUESTS = ("recap", "order", "authorize")


# ------------------------------------------------------------------------------ Alexa's Directive API


@dataclass
class Directives:
    """Progressive responses received, by the Alexa request id they name."""

    cond: threading.Condition = field(default_factory=threading.Condition)
    arrived: dict[str, float] = field(default_factory=dict)


class DirectiveHandler(runtime.QuietHandler):
    server: "DirectiveServer"

    def do_POST(self) -> None:
        at = time.perf_counter()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ok = self.path == "/v1/directives" and self.headers.get("Authorization", "").startswith("Bearer ")
        request_id = None
        if ok:
            try:
                request_id = json.loads(body)["header"]["requestId"]
            except (ValueError, KeyError, TypeError):
                ok = False
        status = 204 if ok else 400
        self.wfile.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n".encode())
        if ok:
            with self.server.directives.cond:
                self.server.directives.arrived.setdefault(request_id, at)
                self.server.directives.cond.notify_all()


class DirectiveServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, directives: Directives) -> None:
        super().__init__(("127.0.0.1", 0), DirectiveHandler)
        self.directives = directives

    @property
    def endpoint(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


# ------------------------------------------------------------------------------ the conversation


def load(events: Path, name: str) -> dict:
    try:
        return json.loads((events / "alexa" / f"{name}.json").read_text())
    except (OSError, ValueError) as e:
        raise runtime.BenchError(f"cannot read event alexa/{name}.json: {e}") from e


def speech(answer: dict) -> str:
    output = (answer.get("response") or {}).get("outputSpeech") or {}
    return str(output.get("ssml") or output.get("text") or "")


def newest_code(auth0: str) -> tuple[int, str]:
    with urllib.request.urlopen(f"{auth0.rstrip('/')}/outbox?last=1", timeout=5) as response:
        messages = json.load(response)
    if not messages:
        return 0, ""
    return len(messages), messages[-1]["code"]


@dataclass
class Sample:
    answer_ms: float
    progressive_ms: float | None


def run(args: argparse.Namespace) -> dict:
    order_event = load(args.events, "order-large-pepperoni-mushrooms")
    authorize_event = load(args.events, "authorize-code")
    directives = Directives()
    directive_server = DirectiveServer(directives)
    threading.Thread(target=directive_server.serve_forever, args=(0.05,), daemon=True).start()

    state = runtime.RuntimeState("pod-skill", args.timeout)
    server = runtime.RuntimeApiServer(state)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    env = {
        **runtime.read_env_file(args.env_file),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LOCAL_DIRECTIVE_ENDPOINT": directive_server.endpoint,
        "AWS_LAMBDA_RUNTIME_API": server.address,
        "AWS_LAMBDA_FUNCTION_NAME": "pod-skill",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(runtime.MEMORY_SIZE_MB),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    }
    stderr_path = Path(args.out).with_suffix(".stderr.log")
    stderr = open(stderr_path, "wb")
    process = subprocess.Popen(
        [str(args.bin_dir / "pod-skill")], cwd=runtime.ROOT, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=stderr,
    )

    def fail(what: str) -> runtime.BenchError:
        return runtime.BenchError(f"pod-skill: {what}\n--- stderr tail ---\n{runtime.tail(stderr_path)}")

    def invoke(event: dict, label: str) -> tuple[dict, Sample]:
        payload = json.loads(runtime.freshen(event))
        payload["context"]["System"]["apiEndpoint"] = directive_server.endpoint
        alexa_id = payload["request"]["requestId"]
        invocation = runtime.Invocation(alexa_id.rsplit(".", 1)[-1], json.dumps(payload).encode())
        state.submit(invocation)
        try:
            outcome = state.outcomes.get(timeout=args.timeout)
        except Exception:  # noqa: BLE001 - queue.Empty, or anything else: the same failure
            raise fail(f"no answer to {label} within {args.timeout:g} s (exit status {process.poll()})") from None
        if outcome.kind != "response" or outcome.request_id != invocation.request_id:
            raise fail(f"{label}: {outcome.kind} for {outcome.request_id}: {outcome.body[:300]!r}")
        answer = json.loads(outcome.body)
        delivered = invocation.delivered_at or outcome.at
        progressive = None
        with directives.cond:
            # A progressive response is posted before the answer, or not at all.
            progressive_at = directives.arrived.pop(alexa_id, None)
        if progressive_at is not None:
            progressive = (progressive_at - delivered) * 1000
        return answer, Sample((outcome.at - delivered) * 1000, progressive)

    def with_session(event: dict, attributes: dict | None) -> dict:
        event = json.loads(json.dumps(event))
        event.setdefault("session", {})["attributes"] = attributes or {}
        event["session"]["new"] = False
        return event

    def turn() -> dict[str, Sample]:
        samples = {}
        answer, samples["recap"] = invoke(order_event, "recap")
        attributes = answer.get("sessionAttributes") or {}
        if "?" not in speech(answer):
            raise fail(f"the order's recap asks nothing: {speech(answer)[:200]}")
        yes = with_session(order_event, attributes)
        yes["request"].pop("dialogState", None)
        yes["request"]["intent"] = {"name": "AMAZON.YesIntent", "confirmationStatus": "NONE", "slots": {}}
        sent_before, _ = newest_code(args.auth0)
        answer, samples["order"] = invoke(yes, "order")
        _, code = newest_code(args.auth0)
        if not code or "code" not in speech(answer).lower():
            raise fail(f"the yes sent no code (outbox {sent_before}): {speech(answer)[:200]}")
        authorize = with_session(authorize_event, answer.get("sessionAttributes"))
        authorize["request"]["intent"]["slots"]["Code"]["value"] = code
        answer, samples["authorize"] = invoke(authorize, "authorize")
        if "confirmed" not in speech(answer).lower():
            raise fail(f"the right code confirmed nothing: {speech(answer)[:200]}")
        return samples

    try:
        turn()  # the cold start and the first calls' connections: not what a warm turn costs
        measured: dict[str, list[Sample]] = {name: [] for name in REQUESTS}
        for _ in range(args.turns):
            for name, sample in turn().items():
                measured[name].append(sample)
    finally:
        process.kill()
        process.wait(timeout=5)
        state.close()
        server.shutdown()
        directive_server.shutdown()
        stderr.close()

    def stats(values: list[float]) -> dict:
        return {
            "n": len(values),
            "p50_ms": round(runtime.percentile(values, 50), 1),
            "p99_ms": round(runtime.percentile(values, 99), 1),
            "mean_ms": round(sum(values) / len(values), 1),
        }

    requests = {}
    for name, samples in measured.items():
        progressive = [s.progressive_ms for s in samples if s.progressive_ms is not None]
        requests[name] = {
            "answer": stats([s.answer_ms for s in samples]),
            "progressive": stats(progressive) if progressive else None,
            "progressive_share": round(len(progressive) / len(samples), 2),
        }
    return {
        "label": args.label,
        "turns": args.turns,
        "idp_delay_ms": args.idp_delay_ms,
        "idp_passwordless_delay_ms": args.idp_passwordless_delay_ms,
        "store": "dynamodb (local AWS-compatible server)",
        "memory_mb": runtime.MEMORY_SIZE_MB,
        "requests": requests,
        "machine": runtime.machine(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin-dir", type=Path, required=True, help="where pod-skill is")
    parser.add_argument("--events", type=Path, required=True, help="pod-events output")
    parser.add_argument("--env-file", type=Path, required=True, help="the function's settings")
    parser.add_argument("--auth0", required=True, help="the identity provider, for its outbox")
    parser.add_argument("--turns", type=int, default=60, help="confirmed orders measured")
    parser.add_argument("--label", default="delayed", help="what the run is called in the report")
    parser.add_argument("--idp-delay-ms", type=int, default=0, help="the delay pod-local was started with")
    parser.add_argument("--idp-passwordless-delay-ms", type=int, default=0, help="likewise, passwordless start")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds allowed per answer")
    parser.add_argument("--out", type=Path, required=True, help="JSON results")
    args = parser.parse_args()
    if args.turns < 1:
        parser.error("--turns must be at least 1")
    try:
        result = run(args)
    except runtime.BenchError as e:
        print(f"bench_turn: {e}", file=sys.stderr)
        return 1
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for name, figures in result["requests"].items():
        progressive = figures["progressive"]
        heard = f", progressive p50 {progressive['p50_ms']} ms" if progressive else ""
        print(f"{args.label} {name}: answer p50 {figures['answer']['p50_ms']} ms p99 {figures['answer']['p99_ms']} ms{heard}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
