package audit

import (
	"encoding/json"
	"time"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

// Event types of the console's events (ActionTrail's names).
const (
	ConsoleOperation  = "ConsoleOperation"
	ConsoleSigninType = "ConsoleSignin"
)

// SignIn describes one console sign-in attempt, successful or not.
type SignIn struct {
	RequestID string
	Time      time.Time
	AccountID string // the account whose trail gets the event
	// Caller is who signed in (or tried to): a root, or a RAM user whose
	// UserID is "" when no such user exists.
	Caller       model.Principal
	LoginAccount string // what was typed: an email, or <user>@<domain>
	MFAChecked   bool
	SourceIP     string
	UserAgent    string
	ErrorCode    string
	ErrorMsg     string
}

// signInRecord is ActionTrail's ConsoleSignin event: an API event's
// fields plus additionalEventData.
type signInRecord struct {
	record
	AdditionalEventData struct {
		IsMFAChecked string `json:"isMFAChecked"`
		LoginAccount string `json:"loginAccount"`
		LoginResult  string `json:"loginResult"`
	} `json:"additionalEventData"`
}

// ConsoleSignin builds the stored event of a console sign-in attempt.
func ConsoleSignin(s *SignIn) store.Event {
	rw := RW(true)
	rec := signInRecord{record: record{
		EventID: s.RequestID, EventVersion: "1", EventType: ConsoleSigninType, EventCategory: "Management",
		EventName: ConsoleSigninType, EventRW: rw, EventSource: "signin.aliyun.com",
		EventTime: s.Time.UTC().Format(TimeLayout), AcsRegion: "cn-hangzhou", ServiceName: "AasSub",
		RequestID: s.RequestID, SourceIPAddress: s.SourceIP, UserAgent: s.UserAgent,
		RequestParameters: paramList{}, ErrorCode: s.ErrorCode, ErrorMessage: s.ErrorMsg,
		RecipientAccountID: s.AccountID,
	}}
	p := &s.Caller
	rec.UserIdentity.Type = p.AuditType()
	rec.UserIdentity.AccountID = s.AccountID
	rec.UserIdentity.UserName = p.AuditUserName()
	if p.Kind == model.Root || p.UserID != "" {
		rec.UserIdentity.PrincipalID = p.PrincipalID()
	}
	rec.AdditionalEventData.IsMFAChecked = "false"
	if s.MFAChecked {
		rec.AdditionalEventData.IsMFAChecked = "true"
	}
	rec.AdditionalEventData.LoginAccount = s.LoginAccount
	rec.AdditionalEventData.LoginResult = "success"
	if s.ErrorCode != "" {
		rec.AdditionalEventData.LoginResult = "fail"
	}
	ev := store.Event{ID: s.RequestID, Time: s.Time, AccountID: s.AccountID, EventName: ConsoleSigninType,
		ServiceName: rec.ServiceName, EventRW: rw, UserName: p.AuditUserName(), ErrorCode: s.ErrorCode}
	if p.Kind == model.Root {
		ev.UserName = RootUser
	}
	data, err := json.Marshal(&rec)
	if err != nil {
		panic("audit: encode sign-in event: " + err.Error()) // strings only: cannot fail
	}
	ev.Data = data
	return ev
}
