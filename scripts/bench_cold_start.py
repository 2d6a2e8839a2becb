#!/usr/bin/env python3
"""Cold start and peak memory of the Lambda function binaries (pod-skill, pod-api, pod-web).

This script plays the AWS Lambda Runtime API itself
(https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), so each binary runs exactly
as it would in Lambda, minus the network: it long-polls GET /2018-06-01/runtime/invocation/next
and POSTs its answer to .../invocation/{id}/response (or .../error, or /runtime/init/error).

For every function, --runs times:
  1. a fresh temporary DATA_DIR and a fresh Runtime API server on 127.0.0.1 (port 0);
  2. spawn the binary; COLD START = wall time from spawn to the moment its first response
     (to the function's first event) has been received, split into init (spawn -> first
     GET /next) and first invocation (GET /next -> response);
  3. serve --warm more events, cycling through the function's events, and check that every
     answer is well-formed (Alexa: JSON with "version" and "response"; HTTP API v2: "statusCode");
  4. read VmHWM (peak resident memory) from /proc/PID/status, then kill the process.

Usage (from the checkout; a pod-local must be serving the identity provider at --auth0 and
build/events must have been written by pod-events with the same AUTH0_DOMAIN):

    python3 scripts/bench_cold_start.py --bin-dir target/release --events build/events \
        --auth0 http://127.0.0.1:PORT/auth0 --runs 20 --warm 200 --out build/bench/cold-start.json

Writes the figures as JSON to --out and prints a Markdown table. Exits 1, naming the function
and showing the tail of its stderr, when a function exits early, posts to /error or
/init/error, answers badly, or does not answer within --timeout seconds. Python 3.11, stdlib only.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import math
import os
import platform
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# The checkout: this file is scripts/bench_cold_start.py. The binaries run from here, as they
# do under `make run` (local.env holds paths relative to the checkout).
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENV_FILE = ROOT / "functions" / "local" / "local.env"

RUNTIME_PREFIX = "/2018-06-01/runtime"
MEMORY_SIZE_MB = 128  # infra/template.yaml: Globals.Function.MemorySize
REGION = "us-east-1"


class BenchError(Exception):
    """A failure that ends the benchmark with exit status 1 and a clear message."""


# ------------------------------------------------------------------------------ functions


@dataclass(frozen=True)
class Function:
    name: str  # binary name, also the Lambda function name
    first_event: str  # relative to --events: the cold-start event
    event_glob: tuple[str, str]  # (subdirectory, pattern) of the events served warm
    kind: str  # "alexa" or "http": how an answer is checked


FUNCTIONS = (
    Function("pod-skill", "alexa/launch.json", ("alexa", "*.json"), "alexa"),
    Function("pod-api", "http/api-health.json", ("http", "api-*.json"), "http"),
    Function("pod-web", "http/web-home.json", ("http", "web-*.json"), "http"),
)


def load_events(events_dir: Path, function: Function) -> tuple[dict, list[tuple[str, dict]]]:
    """The first event and the (name, event) list cycled through for warm invocations."""
    first_path = events_dir / function.first_event
    if not first_path.is_file():
        raise BenchError(f"{function.name}: no event {first_path} (run pod-events --out {events_dir} first)")
    subdir, pattern = function.event_glob
    paths = sorted((events_dir / subdir).glob(pattern))
    if not paths:
        raise BenchError(f"{function.name}: no events match {events_dir / subdir / pattern}")
    events = []
    for path in [first_path, *paths]:
        try:
            events.append((f"{path.parent.name}/{path.name}", json.loads(path.read_text())))
        except (OSError, json.JSONDecodeError) as e:
            raise BenchError(f"{function.name}: cannot read event {path}: {e}") from e
    return events[0][1], events[1:]


def freshen(event: dict) -> bytes:
    """The event as sent: a fresh request id (the skill replays the first answer to a repeated
    Alexa request id, which would make warm invocations cheaper than real ones) and timestamps
    set to now (the skill rejects stale Alexa requests). The caller's dict is left untouched."""
    event = json.loads(json.dumps(event))
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    request = event.get("request")
    if isinstance(request, dict):  # Alexa
        request["requestId"] = f"amzn1.echo-api.request.{uuid.uuid4()}"
        if "timestamp" in request:
            request["timestamp"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    context = event.get("requestContext")
    if isinstance(context, dict):  # API Gateway HTTP API v2
        context["requestId"] = str(uuid.uuid4())
        context["time"] = now.strftime("%d/%b/%Y:%H:%M:%S +0000")
        context["timeEpoch"] = int(now.timestamp() * 1000)
    return json.dumps(event).encode()


def check_answer(function: Function, body: bytes) -> int | None:
    """Raises BenchError unless the answer is well-formed; returns the HTTP status (or None)."""
    try:
        answer = json.loads(body)
    except json.JSONDecodeError as e:
        raise BenchError(f"{function.name}: answer is not JSON ({e}): {body[:300]!r}") from e
    if not isinstance(answer, dict):
        raise BenchError(f"{function.name}: answer is not a JSON object: {body[:300]!r}")
    if function.kind == "alexa":
        if "version" not in answer or "response" not in answer:
            raise BenchError(f"{function.name}: Alexa answer lacks 'version' or 'response': {body[:300]!r}")
        return None
    status = answer.get("statusCode")
    if not isinstance(status, int):
        raise BenchError(f"{function.name}: HTTP answer lacks an integer 'statusCode': {body[:300]!r}")
    return status


# ------------------------------------------------------------------------------ the Runtime API


@dataclass
class Invocation:
    request_id: str
    payload: bytes
    delivered_at: float | None = None  # perf_counter when GET /next handed it out


@dataclass
class Outcome:
    kind: str  # "response", "error" or "init_error"
    request_id: str | None
    body: bytes
    at: float  # perf_counter when the body had been received
    error_type: str | None = None


@dataclass
class RuntimeState:
    """What the Runtime API server shares with the benchmark thread."""

    function_name: str
    timeout_s: float
    cond: threading.Condition = field(default_factory=threading.Condition)
    pending: list[Invocation] = field(default_factory=list)
    in_flight: dict[str, Invocation] = field(default_factory=dict)
    outcomes: queue.Queue[Outcome] = field(default_factory=queue.Queue)
    first_next_at: float | None = None
    closed: bool = False

    def submit(self, invocation: Invocation) -> None:
        with self.cond:
            self.pending.append(invocation)
            self.cond.notify_all()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()


class QuietHandler(BaseHTTPRequestHandler):
    """What every HTTP double of these benchmarks shares."""

    # HTTP/1.1 keep-alive, as the real APIs: the function's client reuses its connection.
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: without it a small write can wait for the client's delayed ACK (~40 ms),
    # which would be measured as the function's latency.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass


class RuntimeApiHandler(QuietHandler):
    server: "RuntimeApiServer"

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # CRLF after the chunk
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        """Status line, headers and body in one write (one TCP segment for small answers)."""
        reason = self.responses.get(status, ("",))[0]
        lines = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/json", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    def do_GET(self) -> None:
        state = self.server.state
        if self.path != f"{RUNTIME_PREFIX}/invocation/next":
            self.reply(404, b'{"errorMessage":"unknown path"}')
            return
        # Long poll: hand out the next event when the benchmark submits one.
        with state.cond:
            if state.first_next_at is None:
                state.first_next_at = time.perf_counter()
            while not state.pending and not state.closed:
                state.cond.wait(0.5)
            if state.closed:  # the benchmark is over and the process killed: nobody to answer
                self.close_connection = True
                return
            invocation = state.pending.pop(0)
            invocation.delivered_at = time.perf_counter()
            state.in_flight[invocation.request_id] = invocation
        deadline_ms = int(time.time() * 1000 + state.timeout_s * 1000)
        trace = f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"
        self.reply(
            200,
            invocation.payload,
            {
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": (
                    f"arn:aws:lambda:{REGION}:123456789012:function:{state.function_name}"
                ),
                "Lambda-Runtime-Trace-Id": trace,
            },
        )

    def do_POST(self) -> None:
        state = self.server.state
        body = self.read_body()
        at = time.perf_counter()  # the function has posted its answer: the clock stops here
        match = re.fullmatch(rf"{RUNTIME_PREFIX}/invocation/([^/]+)/(response|error)", self.path)
        if match:
            request_id, kind = match.groups()
            with state.cond:
                known = state.in_flight.pop(request_id, None) is not None
            if not known:
                self.reply(400, b'{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}')
                state.outcomes.put(Outcome("unknown_id", request_id, body, at))
                return
            self.reply(202, b'{"status":"OK"}')
            error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
            state.outcomes.put(Outcome(kind, request_id, body, at, error_type))
        elif self.path == f"{RUNTIME_PREFIX}/init/error":
            self.reply(202, b'{"status":"OK"}')
            error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
            state.outcomes.put(Outcome("init_error", None, body, at, error_type))
        else:
            self.reply(404, b'{"errorMessage":"unknown path"}')


class RuntimeApiServer(ThreadingHTTPServer):
    daemon_threads = True  # a handler still long-polling for the killed process must not block exit

    def __init__(self, state: RuntimeState) -> None:
        super().__init__(("127.0.0.1", 0), RuntimeApiHandler)
        self.state = state

    def handle_error(self, request: object, client_address: object) -> None:
        # A killed function leaves a dead connection behind: not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def address(self) -> str:
        host, port = self.server_address[:2]
        return f"{host}:{port}"


# ------------------------------------------------------------------------------ one run


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of local.env (comments and blank lines skipped, as invoke.sh does)."""
    env = {}
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        raise BenchError(f"cannot read {path}: {e}") from e
    for line in lines:
        if re.match(r"^[A-Z_][A-Z0-9_]*=", line):
            key, value = line.split("=", 1)
            env[key] = value
    return env


def tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace").rstrip()
    except OSError:
        return "(unreadable)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty)"


def vm_hwm_kib(pid: int) -> int:
    """Peak resident set size so far (VmHWM) of a live process, in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])  # "VmHWM:    12345 kB"
    raise BenchError(f"no VmHWM in /proc/{pid}/status")


@dataclass
class RunResult:
    cold_start_ms: float  # spawn -> first response received
    init_ms: float  # spawn -> first GET /next (the runtime is ready)
    first_invoke_ms: float  # first GET /next handed out -> first response received
    warm_ms: list[float]  # per warm invocation: delivered -> response received
    peak_rss_kib: int
    statuses: dict[str, int]  # HTTP status -> count (HTTP functions)


def run_once(
    function: Function,
    binary: Path,
    base_env: dict[str, str],
    first_event: dict,
    events: list[tuple[str, dict]],
    warm: int,
    timeout_s: float,
    run_index: int,
) -> RunResult:
    work = Path(tempfile.mkdtemp(prefix=f"{function.name}-bench-"))
    state = RuntimeState(function.name, timeout_s)
    server = RuntimeApiServer(state)
    # A short poll interval so that shutdown() (which waits for one poll) is quick between runs.
    server_thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="runtime-api", daemon=True)
    server_thread.start()
    process: subprocess.Popen | None = None
    stdout_path, stderr_path = work / "stdout.log", work / "stderr.log"
    try:
        env = {
            **base_env,
            "DATA_DIR": str(work / "data"),  # created by the function, as in a fresh sandbox
            "AWS_LAMBDA_RUNTIME_API": server.address,
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(MEMORY_SIZE_MB),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": (
                f"{datetime.date.today():%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
            ),
        }

        def fail(what: str) -> BenchError:
            return BenchError(
                f"{function.name} (run {run_index + 1}): {what}\n"
                f"--- stderr tail ---\n{tail(stderr_path)}\n--- stdout tail ---\n{tail(stdout_path)}"
            )

        def invoke(payload: bytes, label: str) -> tuple[Outcome, Invocation]:
            """Queues one event and waits for its answer, watching the process."""
            invocation = Invocation(str(uuid.uuid4()), payload)
            state.submit(invocation)
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    outcome = state.outcomes.get(timeout=0.05)
                    break
                except queue.Empty:
                    pass
                code = process.poll()
                if code is not None:
                    raise fail(f"exited early (status {code}) while handling {label}")
                if time.monotonic() > deadline:
                    raise fail(f"no answer to {label} within {timeout_s:g} s")
            if outcome.kind == "init_error":
                raise fail(f"posted to /runtime/init/error ({outcome.error_type}): {outcome.body[:500]!r}")
            if outcome.kind == "unknown_id":
                raise fail(f"answered request {outcome.request_id}, which was never handed out")
            if outcome.kind == "error":
                raise fail(f"posted to /error for {label} ({outcome.error_type}): {outcome.body[:500]!r}")
            if outcome.request_id != invocation.request_id:
                raise fail(f"answered request {outcome.request_id}, expected {invocation.request_id}")
            return outcome, invocation

        statuses: dict[str, int] = {}

        def checked(outcome: Outcome, label: str) -> None:
            try:
                status = check_answer(function, outcome.body)
            except BenchError as e:
                raise fail(f"bad answer to {label}: {e}") from None
            if status is not None:
                statuses[str(status)] = statuses.get(str(status), 0) + 1

        first_payload = freshen(first_event)  # prepared before the clock starts
        with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
            spawned_at = time.perf_counter()
            process = subprocess.Popen(
                [str(binary)], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr
            )
        outcome, invocation = invoke(first_payload, function.first_event)
        cold_start_ms = (outcome.at - spawned_at) * 1000
        init_ms = ((state.first_next_at or outcome.at) - spawned_at) * 1000
        first_invoke_ms = (outcome.at - (invocation.delivered_at or spawned_at)) * 1000
        checked(outcome, function.first_event)

        warm_ms = []
        for i in range(warm):
            name, event = events[i % len(events)]
            outcome, invocation = invoke(freshen(event), name)
            warm_ms.append((outcome.at - (invocation.delivered_at or outcome.at)) * 1000)
            checked(outcome, name)

        # The function is idle in GET /next now; its peak so far is its peak.
        try:
            peak = vm_hwm_kib(process.pid)
        except OSError as e:
            raise fail(f"cannot read its memory: {e}") from e
        return RunResult(cold_start_ms, init_ms, first_invoke_ms, warm_ms, peak, statuses)
    finally:
        if process is not None and process.poll() is None:
            process.kill()  # only the process this run started, by its handle
        if process is not None:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        state.close()
        server.shutdown()
        server.server_close()
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------------------ checks before


def jwt_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def preflight(auth0: str, events_dir: Path) -> None:
    """Fails early, and clearly, when the identity provider is down or the events' token was
    minted for another issuer or has expired (the functions would answer 401s, not fail)."""
    issuer = auth0.rstrip("/") + "/"
    url = issuer + ".well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            advertised = json.load(response).get("issuer")
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise BenchError(f"identity provider not reachable at {url} ({e}); start pod-local first") from e
    if advertised != issuer:
        raise BenchError(f"{url} names issuer {advertised!r}, expected {issuer!r}")
    tokens = set()
    for path in sorted(events_dir.glob("*/*.json")):
        tokens.update(re.findall(r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+", path.read_text()))
    for token in tokens:
        try:
            claims = jwt_claims(token)
        except (ValueError, IndexError):
            continue
        if claims.get("iss") != issuer:
            raise BenchError(
                f"the events' token was minted for issuer {claims.get('iss')!r}, not {issuer!r}: "
                f"run AUTH0_DOMAIN={auth0} pod-events --out {events_dir} again"
            )
        if isinstance(claims.get("exp"), (int, float)) and claims["exp"] < time.time() + 600:
            raise BenchError(f"the events' token expires within 10 minutes: run pod-events --out {events_dir} again")


# ------------------------------------------------------------------------------ report


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 2),
        "p90": round(percentile(values, 90), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    except OSError:
        pass
    return {"arch": platform.machine(), "cpus": os.cpu_count(), "cpu": model, "kernel": platform.release()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin-dir", type=Path, default=Path("target/release"), help="where the binaries are")
    parser.add_argument("--events", type=Path, default=Path("build/events"), help="pod-events output")
    parser.add_argument("--auth0", required=True, help="identity provider, e.g. http://127.0.0.1:3000/auth0")
    parser.add_argument("--runs", type=int, default=20, help="cold starts per function")
    parser.add_argument("--warm", type=int, default=200, help="warm invocations after each cold start")
    parser.add_argument("--out", type=Path, default=Path("build/bench/cold-start.json"), help="JSON results")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed per answer")
    parser.add_argument("--env-file", type=Path, default=DEFAULT_ENV_FILE, help="settings (local.env)")
    parser.add_argument(
        "--functions", default=",".join(f.name for f in FUNCTIONS), help="comma-separated subset to measure"
    )
    args = parser.parse_args()
    if args.runs < 1 or args.warm < 0:
        parser.error("--runs must be at least 1 and --warm at least 0")
    wanted = [name.strip() for name in args.functions.split(",") if name.strip()]
    unknown = set(wanted) - {f.name for f in FUNCTIONS}
    if unknown:
        parser.error(f"unknown function(s): {', '.join(sorted(unknown))}")
    functions = [f for f in FUNCTIONS if f.name in wanted]

    auth0 = args.auth0.rstrip("/")
    parsed = urllib.parse.urlsplit(auth0)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        parser.error(f"--auth0 must be a URL such as http://127.0.0.1:3000/auth0, got {args.auth0!r}")

    # The environment a function gets: nothing inherited but PATH (a Lambda sandbox is clean),
    # then local.env, then what scripts/invoke.sh adds; run_once adds DATA_DIR and the Lambda vars.
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        **read_env_file(args.env_file),
        "AUTH0_DOMAIN": auth0,
        "APP_BASE_URL": f"{parsed.scheme}://{parsed.netloc}",
        "LOG_FORMAT": "json",
    }

    # The Runtime API's handler threads must get the GIL at once when a function calls: with
    # Python's default 5 ms switch interval, the hand-over alone adds up to 5 ms to a measurement.
    sys.setswitchinterval(0.0002)

    try:
        preflight(auth0, args.events)
        results = {}
        for function in functions:
            binary = (args.bin_dir / function.name).resolve()
            if not (binary.is_file() and os.access(binary, os.X_OK)):
                raise BenchError(f"{function.name}: no executable {binary} (build it first)")
            first_event, events = load_events(args.events, function)
            runs: list[RunResult] = []
            for i in range(args.runs):
                runs.append(run_once(function, binary, base_env, first_event, events, args.warm, args.timeout, i))
                print(f"{function.name}: run {i + 1}/{args.runs}: cold start {runs[-1].cold_start_ms:.1f} ms",
                      file=sys.stderr)
            statuses: dict[str, int] = {}
            for run in runs:
                for status, count in run.statuses.items():
                    statuses[status] = statuses.get(status, 0) + count
            if any(s.startswith("5") for s in statuses):
                print(f"bench_cold_start: warning: {function.name} answered 5xx: {statuses}", file=sys.stderr)
            warm_ms = [ms for run in runs for ms in run.warm_ms]
            size = binary.stat().st_size
            results[function.name] = {
                "first_event": function.first_event,
                "warm_events": sorted({name for name, _ in events}),
                "cold_start_ms": {**summary([r.cold_start_ms for r in runs]),
                                  "runs": [round(r.cold_start_ms, 2) for r in runs]},
                "init_ms": summary([r.init_ms for r in runs]),
                "first_invocation_ms": summary([r.first_invoke_ms for r in runs]),
                "warm_invocation_ms": summary(warm_ms) if warm_ms else None,
                "warm_invocations": len(warm_ms),
                "warm_invocations_per_run": args.warm,
                # VmHWM, KiB / 1024 (Lambda's "MB" of memory are MiB too).
                "peak_rss_mb": {"max": round(max(r.peak_rss_kib for r in runs) / 1024, 1),
                                "median": round(statistics.median(r.peak_rss_kib for r in runs) / 1024, 1)},
                "http_statuses": statuses or None,
                "binary_bytes": size,
                "binary_mib": round(size / 1048576, 2),
            }
    except BenchError as e:
        print(f"bench_cold_start: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench_cold_start: interrupted", file=sys.stderr)
        return 130

    report = {
        "measured_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "settings": {"runs": args.runs, "warm": args.warm, "timeout_s": args.timeout, "auth0": auth0,
                     "memory_size_mb": MEMORY_SIZE_MB, "bin_dir": str(args.bin_dir), "events": str(args.events)},
        "functions": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")

    m = report["machine"]
    print(f"Cold start and peak memory, {args.runs} runs × {args.warm} warm invocations, "
          f"{m['arch']}, {m['cpus']} cores ({m['cpu'] or 'unknown CPU'}):\n")
    print("| function | cold start median | p90 | min | init (median) | warm median | peak RSS max "
          "| warm invocations | binary |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        cold, warm = r["cold_start_ms"], r["warm_invocation_ms"]
        print(f"| {name} | {cold['median']:.1f} ms | {cold['p90']:.1f} ms | {cold['min']:.1f} ms "
              f"| {r['init_ms']['median']:.1f} ms | {warm['median'] if warm else 0:.2f} ms "
              f"| {r['peak_rss_mb']['max']:.1f} MB | {r['warm_invocations']} | {r['binary_mib']:.1f} MiB |")
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
