// Package queue sends notifications after the write that asks for them
// has committed: a domain enqueues the message as a job in its own
// transaction, and the job runner delivers it (an invitation is mailed
// exactly when the invitation exists, and a rolled-back call sends
// nothing). Delivery is at least once: a node that dies between sending and
// completing the job sends the message again on retry.
package queue

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/store"
)

// Kind is the job kind of a queued message.
const Kind = "notify.send"

// Enqueue validates m and queues it for delivery when tx commits.
func Enqueue(tx store.Tx, m notify.Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = tx.Jobs().Enqueue(store.Job{Kind: Kind, Payload: payload})
	return err
}

// Deliver is the job handler: it sends the queued message with sender.
func Deliver(sender notify.Sender) func(ctx context.Context, j store.Job) error {
	return func(ctx context.Context, j store.Job) error {
		var m notify.Message
		if err := json.Unmarshal(j.Payload, &m); err != nil {
			return fmt.Errorf("queued message %s: %w", j.ID, err)
		}
		return sender.Send(ctx, m)
	}
}
