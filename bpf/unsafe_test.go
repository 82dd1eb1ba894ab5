//go:build linux

package bpf

import "unsafe"

func unsafeBytePtr(s string) unsafe.Pointer {
	b := append([]byte(s), 0)
	return unsafe.Pointer(&b[0])
}
