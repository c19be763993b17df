package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
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
var trailFilters = []string{"EventName", "User", "ServiceName", "EventRW", "EventId", "EventAccessKeyId"}

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

// usersPage is RAM Identities > Users: ListUsers pages (Marker), a search
// over logon and display names, the total from GetAccountSummary.
type userRow struct{ Name, DisplayName, Comments, Created, ID string }

type usersData struct {
	Search     string
	Users      []userRow
	Total      string
	Domain     string
	LoginURL   string // the account's RAM-user logon page, suffix pre-filled
	NextQuery  string
	FirstQuery string
}

// searchPages bounds a search: it reads at most this many pages of 100.
const searchPages = 50

func (c *Console) usersPage(w http.ResponseWriter, r *http.Request, a *active) {
	q := r.URL.Query()
	d := &usersData{Search: strings.TrimSpace(q.Get("search"))}
	marker := q.Get("marker")
	size := 20
	if d.Search != "" {
		size = 100
	}
	for pages := 0; ; pages++ {
		out, err := c.call(r, a, ramVersion, "ListUsers", map[string]string{"Marker": marker, "MaxItems": strconv.Itoa(size)})
		if err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		for _, u := range listOf(out, "Users", "User") {
			row := userRow{Name: str(u["UserName"]), DisplayName: str(u["DisplayName"]), Comments: str(u["Comments"]),
				Created: str(u["CreateDate"]), ID: str(u["UserId"])}
			if d.Search == "" || matches(row, d.Search) {
				d.Users = append(d.Users, row)
			}
		}
		marker = ""
		if t, _ := out["IsTruncated"].(bool); t {
			marker = str(out["Marker"])
		}
		if d.Search == "" || marker == "" || pages >= searchPages {
			break
		}
	}
	if marker != "" && d.Search == "" {
		d.NextQuery = "/console/ram/users?" + url.Values{"marker": {marker}}.Encode()
	}
	if q.Get("marker") != "" {
		d.FirstQuery = "/console/ram/users"
	}
	if sum, err := c.call(r, a, imsVersion, "GetAccountSummary", nil); err == nil {
		m, _ := sum["SummaryMap"].(map[string]any)
		if n, ok := m["Users"].(float64); ok {
			d.Total = strconv.Itoa(int(n))
		}
	}
	if err := c.store.Read(r.Context(), func(tx store.Tx) error {
		var err error
		d.Domain, err = c.iam.DefaultDomain(tx, a.principal().AccountID) // a member's, after Log On
		return err
	}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	d.LoginURL = origin(r) + "/console/ram-signin/" + d.Domain
	v := shell(a, "Users", "users", crumb{Label: "RAM", Href: "/console/ram/users"}, crumb{Label: "Users"})
	if del := q.Get("deleted"); del != "" {
		v.Notice = fmt.Sprintf("The user %s was deleted.", del)
	}
	v.Data = d
	c.render(w, http.StatusOK, "users", v)
}

func matches(u userRow, s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(strings.ToLower(u.Name), s) || strings.Contains(strings.ToLower(u.DisplayName), s)
}

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
	Cancel   string
	Button   string
}

// deleteUser is the Users list's Delete: a confirmation naming the user,
// then DeleteUser through the invoker (the API's rules: DeleteConflict
// while the user has a login profile, keys, groups or policies).
func (c *Console) deleteUser(w http.ResponseWriter, r *http.Request, a *active) {
	name := strings.TrimSpace(r.PostFormValue("user"))
	if name == "" || len(name) > 64 {
		c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("Name the user to delete."))
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		v := shell(a, "Delete user", "users", crumb{Label: "RAM", Href: "/console/ram/users"},
			crumb{Label: "Users", Href: "/console/ram/users"}, crumb{Label: name})
		v.Data = &confirmation{Question: fmt.Sprintf("Delete the RAM user %q? This cannot be undone.", name),
			Action: "/console/ram/users/delete", Fields: map[string]string{"user": name}, Cancel: "/console/ram/users",
			Button: "Delete " + name}
		c.render(w, http.StatusOK, "confirm", v)
		return
	}
	if _, err := c.call(r, a, ramVersion, "DeleteUser", map[string]string{"UserName": name}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, "/console/ram/users?"+url.Values{"deleted": {name}}.Encode())
}
