//go:build !unix

// Package cputime reads the CPU time the process has used, for benchmarks.
package cputime

import "time"

// Used is not measured on this platform: benchmarks report wall time only.
func Used() (time.Duration, bool) { return 0, false }
