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
# one event loop, awaiting after every number), process (one worker like
# the Go one; the parent starts N of them), and the standard library's own
# ways: pool, thread-pool and interpreters (concurrent.futures'
# ProcessPoolExecutor, ThreadPoolExecutor and, from 3.14,
# InterpreterPoolExecutor of workers=N, every chunk a future; the process
# pool under start=fork|forkserver|spawn), loop+threads, loop+processes and
# loop+interpreters (an asyncio loop awaiting run_in_executor on each
# executor), loops (one event loop per thread) and gevent (greenlets). With
# native=PATH, the chunks are checked by the C is_prime of that shared
# library, called through ctypes (with the GIL held when hold=1). With heartbeat_us= set, a
# heartbeat thread (an asyncio task or a greenlet where there is a loop)
# asks to wake that often and the lags are reported before the goodbye.
# Only what every mode needs is imported up front: start-up is part of what
# the lanes measure, and asyncio alone takes tens of milliseconds to import.
import os
import sys
import threading
import time

PROTOCOL = 3
RELEASE = sys.argv[1] if len(sys.argv) > 1 else "unknown"
MASK = (1 << 64) - 1


# The division itself, as source: this process runs it, and so do the
# worker processes a multiprocessing pool starts (their initializer execs
# it), whatever their start method. A pool under spawn or forkserver
# cannot import functions from a program given with -c, so the chunk
# function is registered in builtins, where pickle finds it by name on
# both sides.
CORE = r'''
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


def chunk_answer(numbers):
    """The answer to one chunk's numbers: (numbers, primes, checksum, divisions)."""
    count = primes = checksum = divisions = 0
    for n in numbers:
        prime, divs = is_prime(n)
        count += 1
        divisions += divs
        if prime:
            primes += 1
            checksum = (checksum + mix(n)) & MASK
    return count, primes, checksum, divisions


def pool_ready(pause):
    """A pool start-up task: wait a moment, so each worker takes one; the
    worker's process and its thread's native id, which tell the pool's
    workers apart whether they are processes or subinterpreters on
    threads, and by which the driver pins each (--pin)."""
    import os
    import threading
    import time

    time.sleep(pause)
    return os.getpid(), threading.get_native_id()


def pool_chunk_answer(numbers):
    """chunk_answer in a process pool's worker, with the worker's pid: the
    parent watches each worker of the pool by its answers."""
    import os

    return chunk_answer(numbers) + (os.getpid(),)


import builtins

for _f in (chunk_answer, pool_ready, pool_chunk_answer):
    _f.__qualname__ = _f.__name__ = "_primebench_" + _f.__name__
    setattr(builtins, _f.__name__, _f)
'''
exec(compile(CORE, "<primebench core>", "exec"), {"__name__": "builtins"})
import builtins  # noqa: E402

is_prime = builtins._primebench_chunk_answer.__globals__["is_prime"]
mix = builtins._primebench_chunk_answer.__globals__["mix"]
chunk_answer = builtins._primebench_chunk_answer
pool_chunk_answer = builtins._primebench_pool_chunk_answer


def native_chunk_answer(path, hold):
    """chunk_answer by the C is_prime (native=PATH in the hello) through
    ctypes: with the GIL released for the call (ctypes.CDLL), as numpy or
    hashlib release it, or held (ctypes.PyDLL, hold=1), as an extension
    that never releases it does."""
    import ctypes

    lib = (ctypes.PyDLL if hold else ctypes.CDLL)(path)
    u64 = ctypes.c_uint64
    by_range, by_list = lib.primebench_range, lib.primebench_list
    by_range.argtypes, by_range.restype = [u64, u64, ctypes.POINTER(u64)], None
    by_list.argtypes, by_list.restype = [ctypes.POINTER(u64), ctypes.c_size_t, ctypes.POINTER(u64)], None

    def answer(numbers):
        out = (u64 * 4)()
        if isinstance(numbers, range) and numbers.step == 1:
            if len(numbers):
                by_range(numbers.start, numbers.stop - 1, out)
        elif len(numbers):
            by_list((u64 * len(numbers))(*numbers), len(numbers), out)
        return out[0], out[1], out[2], out[3]

    return answer


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


def gil_state():
    """b" 0" or b" 1": whether the GIL is enabled now, on a free-threaded
    build (an extension module without free-threading support re-enables
    it at import); b"" on a GIL build, where it always is, and on a build
    too early to tell (3.13's alphas lack sys._is_gil_enabled)."""
    import sysconfig

    if not sysconfig.get_config_var("Py_GIL_DISABLED"):
        return b""
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    if is_enabled is None:
        return b""
    return b" 1" if is_enabled() else b" 0"


def gil_disabled():
    import sysconfig

    if not sysconfig.get_config_var("Py_GIL_DISABLED"):
        return False
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return not (is_enabled and is_enabled())


GO_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "386", "i686": "386"}


def machine_id():
    """This machine's id, as Go's hostid.ID computes it: SHA-256 of
    "primebench:" and what the OS keeps per running system (Linux: the boot
    id, else /etc/machine-id or D-Bus's; Windows: MachineGuid; macOS:
    kern.bootsessionuuid; FreeBSD: kern.hostuuid), 16 bytes in hex;
    "unknown" where there is none."""
    import hashlib

    raw = ""
    try:
        if sys.platform.startswith("linux"):
            for path in ("/proc/sys/kernel/random/boot_id", "/etc/machine-id", "/var/lib/dbus/machine-id"):
                try:
                    with open(path) as f:
                        raw = f.read().rstrip("\0").strip()
                except OSError:
                    continue
                if raw:
                    break
        elif sys.platform == "win32":
            import winreg

            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Cryptography", 0,
                                winreg.KEY_READ | winreg.KEY_WOW64_64KEY) as key:
                raw = str(winreg.QueryValueEx(key, "MachineGuid")[0]).strip()
        elif sys.platform == "darwin" or sys.platform.startswith("freebsd"):
            import subprocess

            name = "kern.bootsessionuuid" if sys.platform == "darwin" else "kern.hostuuid"
            raw = subprocess.run(["sysctl", "-n", name], capture_output=True, text=True, timeout=5).stdout.rstrip("\0").strip()
    except Exception:  # any failure: no id, as Go's reader says
        raw = ""
    if not raw:
        return "unknown"
    return hashlib.sha256(("primebench:" + raw).encode()).hexdigest()[:32]


def greeting():
    import platform
    import socket

    pairs = {
        "release": RELEASE,
        "impl": "cpython",
        "os": {"win32": "windows"}.get(sys.platform, sys.platform.rstrip("0123456789")),
        "arch": GO_ARCH.get(platform.machine().lower(), platform.machine().lower()),
        "host": socket.gethostname(),
        "machine": machine_id(),
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
    return answer_line(index, chunk_answer(numbers))


def answer_line(index, answer):
    """An answer; one from a process pool's worker (five figures and its
    pid) names the worker."""
    if len(answer) == 5:
        return b"A %d %d %d %d %d %d\n" % ((index,) + tuple(answer))
    return b"A %d %d %d %d %d\n" % ((index,) + tuple(answer))


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


# Where the workers this interpreter pinned sat (--pin): (worker, CPUs
# read back), reported in K lines before the goodbye.
PINNED = []


def pin_plan(settings):
    """The CPU of each worker, in worker order, from the hello's pin=; empty
    when the run is not pinned."""
    text = settings.get("pin", "")
    return [int(c) for c in text.split(",")] if text else []


def pin_thread(cpus, worker, tid=0):
    """Pins a thread (tid 0: the calling one; Linux takes a thread's native
    id where a pid goes) to worker's CPU and keeps where it sat, as the OS
    reads it back."""
    if not cpus:
        return
    os.sched_setaffinity(tid, {cpus[worker % len(cpus)]})
    PINNED.append((worker, sorted(os.sched_getaffinity(tid))))


def pinned_lines():
    return b"".join(b"K %d %s\n" % (w, ",".join(str(c) for c in got).encode()) for w, got in sorted(PINNED))


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
    pin_thread(pin_plan(settings), 0)
    for line in read_requests(stdin, out):
        out.write(solve(*parse_request(line)))


def run_threads(stdin, out, settings):
    import queue

    n = max(1, int(settings.get("threads", "1")))
    work = queue.Queue()
    cpus = pin_plan(settings)

    def worker(i):
        pin_thread(cpus, i)
        while True:
            item = work.get()
            if item is None:
                return
            try:
                out.write(solve(*item))
            except BrokenPipeError:
                os._exit(1)  # the parent has gone: nobody to answer

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
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


async def beat(every, lags, stopping):
    """The heartbeat as an asyncio task: asks to wake every `every` seconds."""
    import asyncio

    while not stopping():
        due = time.perf_counter() + every
        await asyncio.sleep(every)
        lags.append(max(0.0, time.perf_counter() - due))


async def read_pipe(stdin):
    """A stream reader of stdin for an asyncio loop."""
    import asyncio

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=(1 << 20) + 64)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
    return reader


async def loop_requests(reader, out):
    """Yields request lines read by an asyncio loop; answers stats requests."""
    while True:
        line = await reader.readline()
        if not line:
            return
        if not line.endswith(b"\n"):
            raise ProtocolError("truncated request")
        if line == b"S\n":
            out.write(stats_line())
            continue
        yield line[:-1]


def run_asyncio(stdin, out, settings, every):
    import asyncio

    n = max(1, int(settings.get("threads", "1")))
    lags = []
    pin_thread(pin_plan(settings), 0)  # the loop's one thread

    async def main():
        reader = await read_pipe(stdin)
        work = asyncio.Queue()
        stopping = []

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

        tasks = [asyncio.create_task(task()) for _ in range(n)]
        hb = asyncio.create_task(beat(every, lags, lambda: stopping)) if every else None
        try:
            async for line in loop_requests(reader, out):
                work.put_nowait(parse_request(line))
        finally:
            for _ in tasks:
                work.put_nowait(None)
            await asyncio.gather(*tasks)
            stopping.append(True)
            if hb:
                await hb

    asyncio.run(main())
    return lags


# What a process pool's worker runs before CORE: it ends when the
# interpreter that made the pool (the driver, whose pid it is given) ends.
# Nothing else would end it once primebench and the driver are killed
# outright: a worker forked from the driver holds the write end of its own
# task pipe, so never sees the pipe close, and a forkserver's or spawned
# worker may be mid-start when the driver dies. On Linux the parent-death
# signal ends a worker the driver started itself at once; everywhere a
# thread looks for the driver five times a second (a worker that finds it
# gone already, at start, ends there).
DIE_WITH_DRIVER = r'''
def _primebench_die_with_driver(driver):
    import os
    import signal
    import sys
    import threading
    import time

    if os.name == "nt":  # os.kill(pid, 0) would end the driver there
        return
    if sys.platform == "linux" and os.getppid() == driver:
        try:
            import ctypes

            PR_SET_PDEATHSIG = 1
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except Exception:  # noqa: BLE001 - no ctypes: the thread still watches
            pass

    def alive():
        try:
            os.kill(driver, 0)
        except ProcessLookupError:
            return False
        except OSError:  # EPERM: it lives, as someone else's
            pass
        return True

    def watch():
        while alive():
            time.sleep(0.2)
        os._exit(1)

    if not alive():
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="primebench-driver-watch").start()
'''


def start_pool(settings, out, kind):
    """A pool of workers that each run the chunk function in their own
    interpreter, timed from its creation until every worker has answered
    once; the time goes to the parent as a P line before any answer, with
    the pids of a process pool's workers, which the parent watches.
    kind "process": concurrent.futures.ProcessPoolExecutor(workers) under
    the start method the parent asks for (start=; none: the interpreter's
    default); "interpreter": InterpreterPoolExecutor(workers) (3.14), a
    subinterpreter with a GIL of its own on each of its threads. Either
    runs CORE in each worker first: a function sent to a subinterpreter,
    or to a spawned process, sees none of this program's globals."""
    n = max(1, int(settings.get("workers", "1")))
    began = time.perf_counter()
    if kind == "process":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context(settings.get("start") or None)
        pool = ProcessPoolExecutor(max_workers=n, mp_context=context, initializer=exec,
                                   initargs=(DIE_WITH_DRIVER + "\n_primebench_die_with_driver(%d)\n" % os.getpid() + CORE, {"__name__": "builtins"}))
    else:
        from concurrent.futures import InterpreterPoolExecutor

        pool = InterpreterPoolExecutor(max_workers=n, initializer=exec, initargs=(CORE, {"__name__": "builtins"}))
    ready = builtins._primebench_pool_ready
    seen = set()
    try:
        for _ in range(20):  # sleeping tasks spread over idle workers: one each
            futures = [pool.submit(ready, 0.05) for _ in range(n)]
            remember_pool_processes(pool)
            seen.update(f.result() for f in futures)
            if len(seen) >= n:
                break
    except Exception as e:  # noqa: BLE001 - a worker died starting: say which
        executor_failed(out, pool, e)
    pids = sorted({pid for pid, _ in seen}) if kind == "process" else []
    out.write(b"P %d %d%s\n" % (round((time.perf_counter() - began) * 1e6), len(seen), b"".join(b" %d" % p for p in pids)))
    # --pin: each process of the pool (by pid, its main thread, which runs
    # the work) or each subinterpreter's thread, in order, on its CPU.
    cpus = pin_plan(settings)
    for i, tid in enumerate(pids if kind == "process" else sorted(tid for _, tid in seen)):
        pin_thread(cpus, i, tid)
    return pool


def executor(settings, out, kind):
    """The executor of a kind: thread, process or interpreter."""
    if kind != "thread":
        return start_pool(settings, out, kind)
    from concurrent.futures import ThreadPoolExecutor

    cpus, count, lock = pin_plan(settings), [0], threading.Lock()

    def pin_next():  # each thread as the executor makes it: the next CPU
        with lock:
            i, count[0] = count[0], count[0] + 1
        pin_thread(cpus, i)

    return ThreadPoolExecutor(max_workers=max(1, int(settings.get("workers", "1"))), initializer=pin_next if cpus else None)


def chunk_function(kind):
    """What a pool runs for each chunk: with the worker's pid from a
    process pool."""
    return pool_chunk_answer if kind == "process" else chunk_answer


def remember_pool_processes(pool):
    """Keeps a process pool's worker processes (multiprocessing.Process
    objects, by pid) on the pool: a broken pool forgets its own."""
    processes = getattr(pool, "_processes", None) or {}  # private, but in every 3.8 and later
    known = pool.__dict__.setdefault("_primebench_processes", {})
    known.update(processes)


def dead_pool_workers(pool):
    """Which of a process pool's workers have exited, and how: "pid 123
    (exit -9)"; empty for other executors. A broken pool terminates the
    rest (exit -15), so those that ended otherwise come first. A worker's
    pipe (its sentinel) closes as it exits, a moment before the kernel
    has its exit status, and the executor wakes on the pipe: the status
    of one that ended is waited for, briefly."""
    from multiprocessing.connection import wait

    known = getattr(pool, "_primebench_processes", {})
    sentinels = {}
    for pid, p in known.items():
        try:
            sentinels[p.sentinel] = pid
        except ValueError:  # closed: it has ended and been reaped
            sentinels[object()] = pid
    ended = {sentinels[s] for s in wait([s for s in sentinels if isinstance(s, int)], timeout=0)}
    ended |= {pid for s, pid in sentinels.items() if not isinstance(s, int)}
    dead, deadline = [], time.monotonic() + 0.5
    for pid, p in sorted(known.items()):
        code = p.exitcode
        while code is None and pid in ended and time.monotonic() < deadline:
            time.sleep(0.005)  # the executor's own thread may be reaping it
            code = p.exitcode
        if code is not None or pid in ended:
            dead.append((pid, "?" if code is None else code))
    dead.sort(key=lambda d: d[1] == -15)
    return ", ".join("pid %d (exit %s)" % d for d in dead)


def executor_failed(out, pool, e):
    """Ends this interpreter with an error line, the dead pool workers
    first: the parent repeats only the line's start."""
    dead = dead_pool_workers(pool)
    first = b"pool worker " + dead.encode() + b" ended: " if dead else b""
    out.write(b"E " + first + b"the executor failed: " + repr(e).encode()[:200] + b"\n")
    os._exit(2)


def close_executor(pool):
    """Shuts the executor down, then stops the helper processes its start
    method started (forkserver's server, the resource tracker) and waits for
    them: their CPU time, and that of the workers the server forked and
    reaped, then counts among this process's children's, as the OS reports
    it to primebench, and none outlives this process."""
    pool.shutdown(wait=True, cancel_futures=True)
    import multiprocessing.forkserver
    import multiprocessing.resource_tracker

    for helper in (multiprocessing.forkserver._forkserver, multiprocessing.resource_tracker._resource_tracker):
        stop = getattr(helper, "_stop", None)  # private, but in every 3.8 and later
        if stop is not None:
            try:
                stop()
            except OSError:
                pass


def write_future(out, index, pool):
    """A future's callback: the chunk's answer to the parent, or an error
    line that ends this interpreter (a pool whose worker died is broken),
    naming the pool's workers that died."""

    def done(future):
        try:
            out.write(answer_line(index, future.result()))
        except BrokenPipeError:
            os._exit(1)  # the parent has gone: nobody to answer
        except BaseException as e:  # noqa: BLE001 - any failure ends the run
            executor_failed(out, pool, e)

    return done


def run_executor(stdin, out, settings, kind):
    """pool, thread-pool and interpreters: every chunk submitted to the
    executor as a future, each answer written when its future completes."""
    from concurrent.futures import wait

    pool = executor(settings, out, kind)
    work = chunk_function(kind)
    futures = []
    try:
        for line in read_requests(stdin, out):
            index, numbers = parse_request(line)
            f = pool.submit(work, numbers)
            f.add_done_callback(write_future(out, index, pool))
            futures.append(f)
        wait(futures)
    finally:
        close_executor(pool)


def run_loop_executor(stdin, out, settings, every, kind):
    """loop+threads, loop+processes and loop+interpreters: an asyncio loop
    that never computes, awaiting loop.run_in_executor for each chunk, the
    way a blocking call is taken off an event loop; the heartbeat is a task
    on that loop."""
    import asyncio

    pool = executor(settings, out, kind)
    work = chunk_function(kind)
    lags = []

    async def main():
        loop = asyncio.get_running_loop()
        reader = await read_pipe(stdin)
        stopping, pending = [], set()

        async def handle(index, numbers):
            try:
                answer = await loop.run_in_executor(pool, work, numbers)
            except BaseException as e:  # noqa: BLE001 - any failure ends the run
                executor_failed(out, pool, e)
            out.write(answer_line(index, answer))

        hb = asyncio.create_task(beat(every, lags, lambda: stopping)) if every else None
        async for line in loop_requests(reader, out):
            t = asyncio.create_task(handle(*parse_request(line)))
            pending.add(t)
            t.add_done_callback(pending.discard)
        await asyncio.gather(*pending)
        stopping.append(True)
        if hb:
            await hb

    try:
        asyncio.run(main())
    finally:
        close_executor(pool)
    return lags


def run_loops(stdin, out, settings, every):
    """loops: one event loop per thread (asyncio.new_event_loop in each
    threading.Thread), each chunk handed to a loop with
    run_coroutine_threadsafe as a coroutine that awaits after every number;
    the heartbeat is a task on the first loop."""
    import asyncio

    n = max(1, int(settings.get("threads", "1")))
    loops = [asyncio.new_event_loop() for _ in range(n)]
    cpus = pin_plan(settings)

    def run_loop(i):
        pin_thread(cpus, i)
        loops[i].run_forever()

    threads = [threading.Thread(target=run_loop, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    lags, stopping = [], []

    async def check(index, numbers):
        a = Answer()
        for number in numbers:
            a.check(number)
            await asyncio.sleep(0)
        out.write(a.line(index))

    hb = asyncio.run_coroutine_threadsafe(beat(every, lags, lambda: stopping), loops[0]) if every else None
    futures = []
    try:
        for i, line in enumerate(read_requests(stdin, out)):
            futures.append(asyncio.run_coroutine_threadsafe(check(*parse_request(line)), loops[i % n]))
        for f in futures:
            f.result()
    finally:
        stopping.append(True)
        if hb:
            hb.result()
        for lp in loops:
            lp.call_soon_threadsafe(lp.stop)
        for t in threads:
            t.join()
    return lags


def run_gevent(stdin, out, settings, every):
    """gevent: N greenlets that gevent.sleep(0) after every number. The
    parent says how many chunks it sends (chunks=), which are read before
    the greenlets start: stdin is not read cooperatively."""
    import gevent
    import gevent.queue

    n = max(1, int(settings.get("threads", "1")))
    work = gevent.queue.Queue()
    pin_thread(pin_plan(settings), 0)  # the hub's one thread
    requests = read_requests(stdin, out)
    for _ in range(int(settings.get("chunks", "0"))):
        work.put(parse_request(next(requests)))
    lags, stopping = [], []

    def greenlet():
        while True:
            try:
                index, numbers = work.get_nowait()
            except gevent.queue.Empty:
                return
            a = Answer()
            for number in numbers:
                a.check(number)
                gevent.sleep(0)
            out.write(a.line(index))

    def heartbeat():
        while not stopping:
            due = time.perf_counter() + every
            gevent.sleep(every)
            lags.append(max(0.0, time.perf_counter() - due))

    hb = gevent.spawn(heartbeat) if every else None
    gevent.joinall([gevent.spawn(greenlet) for _ in range(n)])
    stopping.append(True)
    if hb:
        hb.join()
    for _ in requests:  # until the parent closes stdin
        pass
    return lags


def run_eventlet(stdin, out, settings, every):
    """eventlet: N green threads that eventlet.sleep(0) after every number,
    as gevent's greenlets do; the requests are read before they start
    (chunks=), as gevent's are."""
    import eventlet
    import eventlet.queue

    n = max(1, int(settings.get("threads", "1")))
    work = eventlet.queue.LightQueue()
    pin_thread(pin_plan(settings), 0)  # the hub's one thread
    requests = read_requests(stdin, out)
    for _ in range(int(settings.get("chunks", "0"))):
        work.put(parse_request(next(requests)))
    lags, stopping = [], []

    def green():
        while True:
            try:
                index, numbers = work.get_nowait()
            except eventlet.queue.Empty:
                return
            a = Answer()
            for number in numbers:
                a.check(number)
                eventlet.sleep(0)
            out.write(a.line(index))

    def heartbeat():
        while not stopping:
            due = time.perf_counter() + every
            eventlet.sleep(every)
            lags.append(max(0.0, time.perf_counter() - due))

    hb = eventlet.spawn(heartbeat) if every else None
    for g in [eventlet.spawn(green) for _ in range(n)]:
        g.wait()
    stopping.append(True)
    if hb:
        hb.wait()
    for _ in requests:  # until the parent closes stdin
        pass
    return lags


# The program of each interpreter loop+subprocesses starts: the division,
# then request lines in, answer lines out, one at a time.
CHILD = CORE + r'''
import sys

_in, _out = sys.stdin.buffer, sys.stdout.buffer
for _line in iter(_in.readline, b""):
    _f = _line.split()
    _v = [int(x) for x in _f[2:]]
    _a = _primebench_chunk_answer(range(_v[0], _v[1] + 1) if _f[0] == b"R" else _v)
    _out.write(b"A %s %d %d %d %d\n" % ((_f[1],) + tuple(_a)))
    _out.flush()
'''


def run_loop_subprocesses(stdin, out, settings, every):
    """loop+subprocesses: one asyncio loop that starts workers= interpreters
    with asyncio.create_subprocess_exec, as the asyncio documentation does
    for processes, and feeds each a chunk at a time over its pipes, never
    computing itself; the heartbeat is a task on that loop."""
    import asyncio

    n = max(1, int(settings.get("workers", "1")))
    cpus = pin_plan(settings)
    lags = []

    async def main():
        reader = await read_pipe(stdin)
        procs = []
        try:
            for i in range(n):
                p = await asyncio.create_subprocess_exec(
                    sys.executable, "-I", "-S", "-c", CHILD,
                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
                procs.append(p)
                pin_thread(cpus, i, p.pid)
            work, stopping = asyncio.Queue(), []

            async def feed(p):
                while True:
                    line = await work.get()
                    if line is None:
                        return
                    p.stdin.write(line + b"\n")
                    await p.stdin.drain()
                    answer = await p.stdout.readline()
                    if not answer.endswith(b"\n"):
                        raise ProtocolError("interpreter %d, started with create_subprocess_exec, exited (%s)" % (p.pid, p.returncode))
                    out.write(answer)

            hb = asyncio.create_task(beat(every, lags, lambda: stopping)) if every else None
            feeders = [asyncio.create_task(feed(p)) for p in procs]
            async for line in loop_requests(reader, out):
                parse_request(line)  # a bad request is the parent's error, not a child's
                await work.put(line)
            for _ in procs:
                await work.put(None)
            await asyncio.gather(*feeders)
            stopping.append(True)
            if hb:
                await hb
        finally:
            for p in procs:
                if p.returncode is None:
                    p.stdin.close()
            for p in procs:
                try:
                    await asyncio.wait_for(p.wait(), 5)
                except asyncio.TimeoutError:
                    p.kill()
                    await p.wait()

    asyncio.run(main())
    return lags


# The executor each mode's pool is, by the mode's name (and the part after
# "loop+" of a loop's).
EXECUTORS = {"pool": "process", "thread-pool": "thread", "interpreters": "interpreter",
             "threads": "thread", "processes": "process"}


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
        if settings.get("loop") == "uvloop":
            # Every asyncio loop this mode makes, in every thread: uvloop's.
            try:
                import asyncio
                import uvloop
            except ImportError as e:
                raise ProtocolError("cannot use uvloop: %s" % e)
            import warnings

            with warnings.catch_warnings():  # policies are deprecated from 3.14, and still work
                warnings.simplefilter("ignore", DeprecationWarning)
                asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        if settings.get("native"):
            # Every mode's chunks go through chunk_answer: now the C one.
            global chunk_answer
            try:
                chunk_answer = native_chunk_answer(settings["native"], settings.get("hold") == "1")
            except (OSError, AttributeError) as e:
                raise ProtocolError("cannot load the native is_prime %s: %s" % (settings["native"], e))
        mode = settings.get("mode", "process")
        every = int(settings.get("heartbeat_us", "0")) / 1e6
        lags = []
        if mode == "asyncio":
            lags = run_asyncio(stdin, out, settings, every)
        elif mode in ("loop+threads", "loop+processes", "loop+interpreters"):
            lags = run_loop_executor(stdin, out, settings, every, EXECUTORS[mode.split("+")[1]])
        elif mode == "loops":
            lags = run_loops(stdin, out, settings, every)
        elif mode == "gevent":
            lags = run_gevent(stdin, out, settings, every)
        elif mode == "eventlet":
            lags = run_eventlet(stdin, out, settings, every)
        elif mode == "loop+subprocesses":
            lags = run_loop_subprocesses(stdin, out, settings, every)
        else:
            # One more Python thread that needs the GIL, beside the work.
            heartbeat = Heartbeat(every) if every and mode != "process" else None
            if heartbeat:
                heartbeat.start()
            if mode == "threads":
                run_threads(stdin, out, settings)
            elif mode in ("pool", "thread-pool", "interpreters"):
                run_executor(stdin, out, settings, EXECUTORS[mode])
            elif mode in ("serial", "process"):
                run_serial(stdin, out, settings)
            else:
                raise ProtocolError("unknown mode %r" % mode)
            if heartbeat:
                lags = heartbeat.stop()
        for i in range(0, len(lags), 200):
            out.write(b"T " + b" ".join(b"%d" % round(l * 1e6) for l in lags[i:i + 200]) + b"\n")
        if PINNED:
            out.write(pinned_lines())
        out.write(b"B" + stats_line()[1:-1] + gil_state() + b"\n")
    except ProtocolError as e:
        out.write(b"E " + str(e).encode() + b"\n")
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(1)


if __name__ == "__main__":
    main()
