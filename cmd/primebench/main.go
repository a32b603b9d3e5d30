// Command primebench measures one CPU-bound workload (trial-division
// primality tests) under concurrency strategies that mirror Python's: a plain
// loop, an asyncio-style event loop, threads under a GIL, parallel threads and
// a process pool.
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
