# primebench's CPython worker: the same trial division as primebench's Go
# code, run by the real interpreter under the concurrency model the parent
# asks for, speaking the worker protocol (protocol/PROTOCOL.md) on stdin and
# stdout. primebench ships it inside its binary and starts it with
# `python3 -I -S -c SOURCE RELEASE` (isolated, without site-packages, whose
# .pth files can cost tens of milliseconds); it needs only the standard
# library.
#
# Modes (the hello's mode=): serial (one thread checks every chunk in
# turn), threads (threads=N threading.Thread workers), asyncio (N tasks on
# one event loop, awaiting after every number) and process (one worker like
# the Go one; the parent starts N of them). With heartbeat_us= set, a
# heartbeat thread (an asyncio task in asyncio mode) asks to wake that often
# and the lags are reported before the goodbye.
# Only what every mode needs is imported up front: start-up is part of what
# the lanes measure, and asyncio alone takes tens of milliseconds to import.
import os
import sys
import threading
import time

PROTOCOL = 3
RELEASE = sys.argv[1] if len(sys.argv) > 1 else "unknown"
MASK = (1 << 64) - 1


def is_prime(n):
    """Trial division exactly as workload.IsPrime: (prime, divisions)."""
    if n < 2:
        return False, 0
    if n < 4:
        return True, 0
    if n & 1 == 0:
        return False, 0
    divisions = 0
    d = 3
    while d <= n // d:
        divisions += 1
        if n % d == 0:
            return False, divisions
        d += 2
    return True, divisions


def mix(x):
    """SplitMix64's finaliser, as workload's checksum uses it."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & MASK
    x ^= x >> 31
    return x


class Answer:
    __slots__ = ("numbers", "primes", "checksum", "divisions")

    def __init__(self):
        self.numbers = self.primes = self.checksum = self.divisions = 0

    def check(self, n):
        prime, divs = is_prime(n)
        self.numbers += 1
        self.divisions += divs
        if prime:
            self.primes += 1
            self.checksum = (self.checksum + mix(n)) & MASK

    def line(self, index):
        return b"A %d %d %d %d %d\n" % (index, self.numbers, self.primes, self.checksum, self.divisions)


class ProtocolError(Exception):
    pass


def parse_request(line):
    """Returns (index, numbers) of an 'R index first last' or 'L index n...' line."""
    fields = line.split(b" ")
    try:
        kind, index = fields[0], int(fields[1])
        values = [int(f) for f in fields[2:]]
    except (IndexError, ValueError):
        raise ProtocolError("malformed request %r" % line[:60])
    if index < 0 or any(v < 0 or v > MASK for v in values):
        raise ProtocolError("bad number in request %r" % line[:60])
    if kind == b"R" and len(values) == 2 and values[0] <= values[1]:
        return index, range(values[0], values[1] + 1)
    if kind == b"L" and values:
        return index, values
    raise ProtocolError("malformed request %r" % line[:60])


def parse_hello(line):
    fields = line.split()
    if len(fields) < 2 or fields[0] != b"H":
        raise ProtocolError("expected the parent's hello line (H %d ...), got %r" % (PROTOCOL, line[:60]))
    if fields[1] != str(PROTOCOL).encode():
        raise ProtocolError("the parent speaks protocol %s, this worker speaks %d" % (fields[1].decode(errors="replace"), PROTOCOL))
    settings = {}
    for f in fields[2:]:
        key, _, value = f.decode(errors="replace").partition("=")
        settings[key] = unquote(value)
    return settings


def quote(text):
    """URL-escapes a greeting value (what Go's url.QueryEscape undoes)."""
    safe = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
    return "".join(chr(b) if b in safe else "%%%02X" % b for b in text.encode())


def unquote(text):
    out, i, raw = bytearray(), 0, text.encode()
    while i < len(raw):
        if raw[i] == 0x25 and i + 3 <= len(raw):
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(0x20 if raw[i] == 0x2B else raw[i])
            i += 1
    return out.decode(errors="replace")


def effective_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def gil_disabled():
    import sysconfig

    if not sysconfig.get_config_var("Py_GIL_DISABLED"):
        return False
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return not (is_enabled and is_enabled())


GO_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "386", "i686": "386"}


def greeting():
    import platform
    import socket

    pairs = {
        "release": RELEASE,
        "impl": "cpython",
        "os": {"win32": "windows"}.get(sys.platform, sys.platform.rstrip("0123456789")),
        "arch": GO_ARCH.get(platform.machine().lower(), platform.machine().lower()),
        "host": socket.gethostname(),
        "pid": str(os.getpid()),
        "cpus": str(effective_cpus()),
        "python": platform.python_version(),
        "build": "free-threaded" if gil_disabled() else "gil",
        "switch_us": str(round(sys.getswitchinterval() * 1e6)),
    }
    text = " ".join("%s=%s" % (k, quote(v)) for k, v in sorted(pairs.items()))
    return ("primebench-worker %d %s\n" % (PROTOCOL, text)).encode()


class Output:
    """Lines to the parent, one flush per line: the parent waits for each."""

    def __init__(self):
        self.lock = threading.Lock()
        self.out = sys.stdout.buffer

    def write(self, data):
        with self.lock:
            self.out.write(data)
            self.out.flush()


def solve(index, numbers):
    a = Answer()
    for n in numbers:
        a.check(n)
    return a.line(index)


class Heartbeat(threading.Thread):
    """Asks to wake every `every` seconds and records how late it woke."""

    def __init__(self, every):
        super().__init__(daemon=True)
        self.every, self.lags, self.stopping = every, [], threading.Event()

    def run(self):
        while not self.stopping.is_set():
            due = time.perf_counter() + self.every
            time.sleep(self.every)
            self.lags.append(max(0.0, time.perf_counter() - due))

    def stop(self):
        self.stopping.set()
        self.join()
        return self.lags


def stats_line():
    """The answer to a stats request: this process's CPU time so far, in us."""
    t = os.times()
    return b"S %d %d\n" % (round(t.user * 1e6), round(t.system * 1e6))


def read_requests(stdin, out):
    """Yields request lines; answers a parent's stats requests ("S") itself."""
    for line in iter(stdin.readline, b""):
        if not line.endswith(b"\n"):
            raise ProtocolError("truncated request")
        if line == b"S\n":
            out.write(stats_line())
            continue
        yield line[:-1]


def run_serial(stdin, out, settings):
    for line in read_requests(stdin, out):
        out.write(solve(*parse_request(line)))


def run_threads(stdin, out, settings):
    import queue

    n = max(1, int(settings.get("threads", "1")))
    work = queue.Queue()
    errors = []

    def worker():
        while True:
            item = work.get()
            if item is None:
                return
            try:
                out.write(solve(*item))
            except BrokenPipeError:
                os._exit(1)  # the parent has gone: nobody to answer

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    try:
        for line in read_requests(stdin, out):
            work.put(parse_request(line))
    finally:
        for _ in threads:
            work.put(None)
        for t in threads:
            t.join()


def run_asyncio(stdin, out, settings, every):
    import asyncio

    n = max(1, int(settings.get("threads", "1")))
    lags = []

    async def main():
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=(1 << 20) + 64)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
        work = asyncio.Queue()
        stopping = asyncio.Event()

        async def task():
            while True:
                item = await work.get()
                if item is None:
                    return
                index, numbers = item
                a = Answer()
                for number in numbers:
                    a.check(number)
                    await asyncio.sleep(0)  # yield to the loop after every number
                out.write(a.line(index))

        async def heartbeat():
            while not stopping.is_set():
                due = time.perf_counter() + every
                await asyncio.sleep(every)
                lags.append(max(0.0, time.perf_counter() - due))

        tasks = [asyncio.create_task(task()) for _ in range(n)]
        beat = asyncio.create_task(heartbeat()) if every else None
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                if not line.endswith(b"\n"):
                    raise ProtocolError("truncated request")
                if line == b"S\n":
                    out.write(stats_line())
                    continue
                work.put_nowait(parse_request(line[:-1]))
        finally:
            for _ in tasks:
                work.put_nowait(None)
            await asyncio.gather(*tasks)
            stopping.set()
            if beat:
                await beat

    asyncio.run(main())
    return lags


def read_hello():
    """Reads the hello a byte at a time, so no request is buffered away from
    the asyncio mode's pipe reader, which reads the descriptor itself."""
    line = b""
    while not line.endswith(b"\n") and len(line) < 4096:
        b = os.read(0, 1)
        if not b:
            break
        line += b
    return line.rstrip(b"\n")


def main():
    stdin, out = sys.stdin.buffer, Output()
    try:
        settings = parse_hello(read_hello())
        out.write(greeting())
        mode = settings.get("mode", "process")
        every = int(settings.get("heartbeat_us", "0")) / 1e6
        lags = []
        if mode == "asyncio":
            lags = run_asyncio(stdin, out, settings, every)
        else:
            beat = Heartbeat(every) if every and mode != "process" else None
            if beat:
                beat.start()
            if mode == "threads":
                run_threads(stdin, out, settings)
            elif mode in ("serial", "process"):
                run_serial(stdin, out, settings)
            else:
                raise ProtocolError("unknown mode %r" % mode)
            if beat:
                lags = beat.stop()
        for i in range(0, len(lags), 200):
            out.write(b"T " + b" ".join(b"%d" % round(l * 1e6) for l in lags[i:i + 200]) + b"\n")
        out.write(b"B" + stats_line()[1:])
    except ProtocolError as e:
        out.write(b"E " + str(e).encode() + b"\n")
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(1)


if __name__ == "__main__":
    main()
