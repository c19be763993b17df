package main

import (
	"os"
	"os/exec"
)

// benchData is a fresh data directory holding one account with a root
// AccessKey: what every scenario starts from.
type benchData struct {
	dir, db string
	root    credential
}

// newBenchData makes the directory and the account; remove deletes it.
func newBenchData(db string) (*benchData, error) {
	dir, err := os.MkdirTemp("", "canopybench-")
	if err != nil {
		return nil, err
	}
	id, secret, err := benchAccount(dir, db)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &benchData{dir: dir, db: db, root: credential{id: id, secret: secret}}, nil
}

func (b *benchData) remove() { os.RemoveAll(b.dir) }

// canopy starts a Canopy child serving b on a free address; stop it with
// stopChild.
func (b *benchData) canopy() (string, *exec.Cmd, error) {
	addr := freeAddr()
	extra := []string{"-data", b.dir}
	if b.db != "" {
		extra = append(extra, "-db", b.db)
	}
	cmd, err := child("canopy", addr, extra...)
	return addr, cmd, err
}

// bareChild starts the bare net/http baseline on a free address.
func bareChild() (string, *exec.Cmd, error) {
	addr := freeAddr()
	cmd, err := child("bare", addr)
	return addr, cmd, err
}
