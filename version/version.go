// Package version is primebench's release, shared by the CLI and the worker
// binary so that each can check it talks to its own kind.
package version

// Version is the release; builds may override it with
// -ldflags "-X github.com/primebench/primebench/version.Version=...".
var Version = "0.2.0"
