//go:build unix

// Package cputime reads the CPU time the process has used, for benchmarks:
// on a shared machine wall time mostly measures the neighbours, CPU time
// measures the code.
package cputime

import (
	"syscall"
	"time"
)

// Used returns the user + system CPU time of this process, and false where
// it cannot be read.
func Used() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
