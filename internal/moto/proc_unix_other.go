//go:build unix && !linux

package moto

import "syscall"

// setParentDeathSignal is a no-op: only Linux has PR_SET_PDEATHSIG.
func setParentDeathSignal(*syscall.SysProcAttr) {}
