package bpf

//go:generate go tool bpf2go -no-global-types -tags linux -target bpfel -cflags "-O2 -g -Wall -Werror" tracer tracer.c
