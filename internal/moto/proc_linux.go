//go:build linux

package moto

import "syscall"

// setParentDeathSignal makes the kernel kill moto if the test binary dies
// without running Close (a panic, a -timeout kill), so no orphan server
// keeps 180 MB on a shared CI machine.
func setParentDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }
