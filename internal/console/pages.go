package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	err := png.Encode(&b, img)
	return b.Bytes(), err
}

// shell is a signed-in page's view.
func shell(a *active, title, nav string, crumbs ...crumb) *view {
	return &view{Title: title, Who: whoOf(a), Nav: nav, CSRF: a.s.CSRF,
		Crumbs: append([]crumb{{Label: "Console", Href: "/console/"}}, crumbs...)}
}

func (c *Console) home(w http.ResponseWriter, r *http.Request, a *active) {
	v := shell(a, "Overview", "home")
	v.Data = map[string]string{"Login": a.s.LoginAccount}
	c.render(w, http.StatusOK, "home", v)
}

// trailFilters are the LookupEvents attributes the page offers (one at a
// time, as ActionTrail allows): the keys audit.LookupEvents supports.
var trailFilters = []string{"EventName", "User", "ServiceName", "EventRW", "EventId", "EventAccessKeyId", "ResourceType", "ResourceName", "SensitiveAction"}

// trailEvent is one row of the Event Query page.
type trailEvent struct {
	Time, Name, User, Service, RW, Type, ErrorCode string
	JSON                                           string
}

type trailData struct {
	Filters              []string
	Key, Value           string
	Start, End           string // the form's values (datetime-local)
	Events               []trailEvent
	NextToken            string
	NextQuery            string
	ShownStart, ShownEnd string
}

// trailPage is ActionTrail's Event Query: LookupEvents through the
// invoker, one filter, a time range, paging by NextToken, each event's
// JSON.
func (c *Console) trailPage(w http.ResponseWriter, r *http.Request, a *active) {
	q := r.URL.Query()
	d := &trailData{Filters: trailFilters, Key: q.Get("key"), Value: strings.TrimSpace(q.Get("value")),
		Start: q.Get("start"), End: q.Get("end")}
	params := map[string]string{"MaxResults": "20", "NextToken": q.Get("next")}
	for field, in := range map[string]string{"StartTime": d.Start, "EndTime": d.End} {
		if in == "" {
			continue
		}
		t, err := time.Parse("2006-01-02T15:04", in)
		if err != nil {
			c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("The %s %q is not a date and time.", field, in))
			return
		}
		params[field] = t.UTC().Format("2006-01-02T15:04:05Z")
	}
	if d.Value != "" {
		if !contains(trailFilters, d.Key) {
			c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("Filter by one of %s.", strings.Join(trailFilters, ", ")))
			return
		}
		params["LookupAttribute.1.Key"], params["LookupAttribute.1.Value"] = d.Key, d.Value
	}
	out, err := c.call(r, a, trailVersion, "LookupEvents", params)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	d.ShownStart, _ = out["StartTime"].(string)
	d.ShownEnd, _ = out["EndTime"].(string)
	d.NextToken, _ = out["NextToken"].(string)
	if d.NextToken != "" {
		next := r.URL.Query()
		next.Set("next", d.NextToken)
		d.NextQuery = next.Encode()
	}
	events, _ := out["Events"].([]any)
	for _, e := range events {
		m, _ := e.(map[string]any)
		pretty, _ := json.MarshalIndent(m, "", "  ")
		id, _ := m["userIdentity"].(map[string]any)
		d.Events = append(d.Events, trailEvent{Time: str(m["eventTime"]), Name: str(m["eventName"]),
			User: str(id["userName"]), Service: str(m["serviceName"]), RW: str(m["eventRW"]),
			Type: str(m["eventType"]), ErrorCode: str(m["errorCode"]), JSON: string(pretty)})
	}
	v := shell(a, "Event Query", "trail", crumb{Label: "ActionTrail"}, crumb{Label: "Event Query"})
	v.Data = d
	c.render(w, http.StatusOK, "trail", v)
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// searchPages bounds a search: it reads at most this many pages of 100.
const searchPages = 50

// listOf reads a list answer's items ({"Users":{"User":[...]}}).
func listOf(out map[string]any, outer, inner string) []map[string]any {
	o, _ := out[outer].(map[string]any)
	items, _ := o[inner].([]any)
	res := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			res = append(res, m)
		}
	}
	return res
}

// message is one file of the outbox.
type message struct {
	Name, Kind, Time, Body string
}

// outboxPage lists the sent e-mails and SMS, newest first (development
// mode only: they carry verification codes).
func (c *Console) outboxPage(w http.ResponseWriter, r *http.Request, a *active) {
	if !c.dev {
		c.fail(w, r, a, http.StatusNotFound, codeNoOutbox.New("The Outbox page exists only in development mode (serve --console-dev)."))
		return
	}
	entries, err := os.ReadDir(c.outbox)
	if err != nil && !os.IsNotExist(err) {
		c.fail(w, r, a, 0, err)
		return
	}
	var msgs []message
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".eml" && ext != ".sms") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		body, err := os.ReadFile(filepath.Join(c.outbox, e.Name()))
		if err != nil {
			continue
		}
		kind := "Email"
		if ext == ".sms" {
			kind = "SMS"
		}
		msgs = append(msgs, message{Name: e.Name(), Kind: kind, Time: info.ModTime().UTC().Format(time.RFC3339), Body: string(body)})
	}
	sort.Slice(msgs, func(i, j int) bool {
		if msgs[i].Time != msgs[j].Time {
			return msgs[i].Time > msgs[j].Time
		}
		return msgs[i].Name > msgs[j].Name
	})
	v := shell(a, "Outbox", "outbox", crumb{Label: "Development"}, crumb{Label: "Outbox"})
	v.Data = map[string]any{"Messages": msgs, "Dir": c.outbox, "Count": fmt.Sprint(len(msgs))}
	c.render(w, http.StatusOK, "outbox", v)
}

// confirmation is the page that names the target of a destructive action
// before it runs: the action posts again with confirm=yes. It needs no
// JavaScript, so no client can skip it.
type confirmation struct {
	Question string
	Action   string // the form's action
	Fields   map[string]string
	List     map[string][]string // fields sent several times (the users of a batch)
	Cancel   string
	Button   string
}
