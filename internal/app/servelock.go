package app

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/canopy-iam/canopy/internal/filelock"
)

// lockSQLiteServer keeps a second node off a SQLite store. On SQLite a
// node's memory is the whole replay guard (claiming nonces across nodes
// needs a store several nodes share: PostgreSQL), so two nodes serving one
// database would each run the other's replays of reads. It returns the
// held lock file (nil on PostgreSQL); the kernel drops the lock when the
// process ends, even by kill -9. Other processes (`canopy account create`)
// still open the database: only serving is exclusive.
func lockSQLiteServer(cfg Config) (*os.File, error) {
	if cfg.DB != "" {
		return nil, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(cfg.DataDir, "serve.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	held, err := filelock.TryLock(f)
	if err != nil || !held {
		f.Close()
		if err == nil {
			err = fmt.Errorf("another canopy serve is serving the SQLite database in %s; SQLite serves one node "+
				"(its memory is the replay guard): give each node its own --data, or share PostgreSQL with --db", cfg.DataDir)
		}
		return nil, err
	}
	return f, nil
}
