package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Outbox writes each message as one file in Dir instead of sending it: an
// RFC 5322 .eml file for an email, a .sms file (see RenderSMS) for an SMS.
//
// File names start with the UTC time of the message, to the nanosecond,
// then a random suffix: they sort by time and never collide. Within one
// Outbox, names strictly increase in the order messages were sent, even if
// the clock stands still. A file is written under a temporary name starting
// with "." and renamed into place, so a reader never sees half a message.
// Dir is created (mode 0700) on first use; files are mode 0600, as they may
// carry verification codes.
type Outbox struct {
	Dir  string
	From string           // From header of emails; DefaultFrom when empty
	Now  func() time.Time // clock for Date and file names; time.Now when nil

	mu   sync.Mutex
	last time.Time
}

// Send implements Sender.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := o.stamp()
	var data []byte
	var err error
	ext := ".sms"
	if m.Kind == Email {
		ext = ".eml"
		from := o.From
		if from == "" {
			from = DefaultFrom
		}
		data, err = RenderEmail(m, from, now)
	} else {
		data, err = RenderSMS(m)
	}
	if err != nil {
		return err
	}
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		return err
	}
	name := now.UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(r[:]) + ext
	if err := writeAtomic(o.Dir, name, data); err != nil {
		return fmt.Errorf("notify: outbox: %w", err)
	}
	return nil
}

// stamp returns the clock's time, moved just past the previous message's
// when the clock has not advanced.
func (o *Outbox) stamp() time.Time {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	t := now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if !t.After(o.last) {
		t = o.last.Add(time.Nanosecond)
	}
	o.last = t
	return t
}

// writeAtomic writes dir/name through a temporary file and a rename, and
// syncs both the file and the directory.
func writeAtomic(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
