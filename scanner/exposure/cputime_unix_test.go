//go:build unix

package exposure

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used (user + system). On a
// shared machine wall time mostly measures the neighbours; CPU time
// measures Compute (and its garbage collection).
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
