#!/usr/bin/env python3
"""The CPython side of primebench's gil-lock comparison.

Runs the same trial division (odd divisors d while d <= n // d) over a range of
12-digit numbers: serially, and on N threads, each with a heartbeat thread that
asks to sleep 1 ms at a time and records how late it wakes. Under the GIL the
heartbeat must win the lock back from the computing threads, so its lateness
shows the switch interval (sys.getswitchinterval(), 5 ms by default) and the
threads show no speedup. Compare with `primebench run --strategies serial,gil,gil-lock`.

    python3 scripts/cpython-gil.py [LO HI [THREADS [RUNS]]]
"""
import statistics
import sys
import threading
import time


def is_prime(n):
    if n < 2:
        return False, 0
    if n < 4:
        return True, 0
    if n % 2 == 0:
        return False, 0
    divs = 0
    d = 3
    while d <= n // d:
        divs += 1
        if n % d == 0:
            return False, divs
        d += 2
    return True, divs


def check(numbers):
    primes = divs = 0
    for n in numbers:
        p, d = is_prime(n)
        primes += p
        divs += d
    return primes, divs


def heartbeat(stop, lags, every=0.001):
    while not stop.is_set():
        due = time.perf_counter() + every
        time.sleep(every)
        lags.append((time.perf_counter() - due) * 1000)


def run(numbers, threads):
    chunks = [numbers[i:i + 20] for i in range(0, len(numbers), 20)]
    lock = threading.Lock()
    results = []

    def worker():
        while True:
            with lock:
                if not chunks:
                    return
                chunk = chunks.pop()
            r = check(chunk)
            with lock:
                results.append(r)

    stop, lags = threading.Event(), []
    hb = threading.Thread(target=heartbeat, args=(stop, lags))
    hb.start()
    start = time.perf_counter()
    if threads == 0:
        results.append(check(numbers))  # serial, on the main thread
    else:
        ts = [threading.Thread(target=worker) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    wall = time.perf_counter() - start
    stop.set()
    hb.join()
    primes = sum(r[0] for r in results)
    divs = sum(r[1] for r in results)
    return wall, primes, divs, sorted(lags)


def pct(sorted_lags, q):
    if not sorted_lags:
        return float("nan")
    return sorted_lags[min(len(sorted_lags) - 1, max(0, int(q * len(sorted_lags) + 0.5) - 1))]


def main():
    lo = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000_000_000
    hi = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000_000_600
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    numbers = list(range(lo, hi + 1))
    print(f"CPython {sys.version.split()[0]}, switch interval {sys.getswitchinterval() * 1000:g} ms, "
          f"range {lo}-{hi}, {runs} runs each, alternating")
    walls = {0: [], threads: []}
    lags = {0: [], threads: []}
    answer = None
    for _ in range(runs):
        for t in (0, threads):
            wall, primes, divs, lg = run(numbers, t)
            if answer is None:
                answer = (primes, divs)
            elif (primes, divs) != answer:
                sys.exit(f"threads={t} found {primes} primes with {divs} divisions; serial found {answer}")
            walls[t].append(wall)
            lags[t].extend(lg)
    for t in (0, threads):
        name = "serial" if t == 0 else f"{t} threads"
        med = statistics.median(walls[t])
        lg = sorted(lags[t])
        print(f"{name:>10}: median {med:.3f} s, {answer[1] / med:.3g} divisions/s, "
              f"speedup {statistics.median(walls[0]) / med:.2f}x, "
              f"heartbeat lag p50 {pct(lg, 0.5):.2f} / p99 {pct(lg, 0.99):.2f} / max {lg[-1]:.2f} ms")


if __name__ == "__main__":
    main()
