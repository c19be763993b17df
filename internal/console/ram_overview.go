package console

// RAM Overview and its Get Started > Account Administrator quick creation
// (the seed "Create an account administrator").

import (
	"encoding/base64"
	"encoding/csv"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/store"
)

// ramCounters are the Overview's counts, in the order shown.
var ramCounters = []string{"Users", "Groups", "Roles", "Policies"}

type counter struct {
	Name, Value string
}

type overviewData struct {
	AccountID string
	Domain    string
	LoginURL  string
	Counts    []counter
}

// domainOf is the acting account's default domain (a member's, after Log
// On) and its RAM-user logon URL (suffix pre-filled) as this browser
// reaches the server.
func (c *Console) domainOf(r *http.Request, a *active) (domain, loginURL string, err error) {
	err = c.store.Read(r.Context(), func(tx store.Tx) error {
		var err error
		domain, err = c.iam.DefaultDomain(tx, a.principal().AccountID)
		return err
	})
	return domain, origin(r) + "/console/ram-signin/" + domain, err
}

// ramOverview is RAM > Overview: the account's UID, default domain and
// RAM-user logon URL, counts from GetAccountSummary (through the invoker:
// a caller without ram:GetAccountSummary sees the refusal), and Get
// Started.
func (c *Console) ramOverview(w http.ResponseWriter, r *http.Request, a *active) {
	sum, err := c.call(r, a, imsVersion, "GetAccountSummary", nil)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	d := &overviewData{AccountID: a.principal().AccountID} // a member's, after Log On
	if d.Domain, d.LoginURL, err = c.domainOf(r, a); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	m, _ := sum["SummaryMap"].(map[string]any)
	for _, k := range ramCounters {
		n, _ := m[k].(float64)
		d.Counts = append(d.Counts, counter{Name: k, Value: strconv.Itoa(int(n))})
	}
	v := shell(a, "RAM Overview", "ram-overview", crumb{Label: "RAM", Href: "/console/ram/overview"}, crumb{Label: "Overview"})
	v.Data = d
	c.render(w, http.StatusOK, "ram_overview", v)
}

// The account administrator the quick creation plans.
const (
	adminUserName = "administrator"
	adminPolicy   = "AdministratorAccess"
)

// planStep is one call of a multi-call form (the quick creation, Create
// User, Grant Permission), as its progress list shows it.
type planStep struct {
	Action  string // the API action
	What    string // what it does, in words
	Status  string // "Done", "Failed", "Not run"
	Error   *shownError
	Product string
	version string
	params  map[string]string
	out     map[string]any // the answer, once Done
}

// runSteps runs the steps through the invoker in order and stops at the
// first refusal: the HTTP status is the refusal's (200 when all ran).
func (c *Console) runSteps(r *http.Request, a *active, steps []*planStep) int {
	for _, s := range steps {
		s.Status = "Not run"
	}
	for _, s := range steps {
		out, err := c.call(r, a, s.version, s.Action, s.params)
		if err != nil {
			s.Status, s.Error = "Failed", shown(err)
			return statusOf(err)
		}
		s.Status, s.out = "Done", out
	}
	return http.StatusOK
}

type adminData struct {
	UserName  string
	Logon     string // administrator@<default domain>
	Policy    string
	LoginURL  string
	Steps     []*planStep
	Performed bool
	Succeeded bool
	Password  string       // the generated password: in this answer only
	CSV       template.URL // data: URL of the Download CSV file
}

func (c *Console) adminPlan(r *http.Request, a *active) (*adminData, error) {
	domain, loginURL, err := c.domainOf(r, a)
	if err != nil {
		return nil, err
	}
	return &adminData{UserName: adminUserName, Logon: adminUserName + "@" + domain, Policy: adminPolicy, LoginURL: loginURL,
		Steps: []*planStep{
			{Action: "CreateUser", Product: "RAM", What: "Create the RAM user " + adminUserName, Status: "Not run",
				version: ramVersion, params: map[string]string{"UserName": adminUserName, "DisplayName": adminUserName}},
			{Action: "CreateLoginProfile", Product: "IMS", What: "Enable console logon with a generated password, reset required at next logon, MFA required", Status: "Not run",
				version: imsVersion, params: map[string]string{"UserPrincipalName": adminUserName + "@" + domain, "GenerateRandomPassword": "true",
					"PasswordResetRequired": "true", "MFABindRequired": "true"}},
			{Action: "AttachPolicyToUser", Product: "RAM", What: "Attach the system policy " + adminPolicy, Status: "Not run",
				version: ramVersion, params: map[string]string{"UserName": adminUserName, "PolicyType": "System", "PolicyName": adminPolicy}},
		}}, nil
}

func adminCrumbs(a *active, title string) *view {
	return shell(a, title, "ram-overview", crumb{Label: "RAM", Href: "/console/ram/overview"},
		crumb{Label: "Overview", Href: "/console/ram/overview"}, crumb{Label: "Account Administrator"})
}

// adminPage shows the planned configuration and the Perform button.
func (c *Console) adminPage(w http.ResponseWriter, r *http.Request, a *active) {
	d, err := c.adminPlan(r, a)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	v := adminCrumbs(a, "Create an account administrator")
	v.Data = d
	c.render(w, http.StatusOK, "ram_admin", v)
}

// performAdmin runs the plan's calls through the invoker, one after the
// other, stopping at the first refusal (whose code, message and request id
// the progress list shows). The password is generated by the engine (IMS
// CreateLoginProfile with GenerateRandomPassword, so it meets the
// account's password policy), appears in this answer only (the page is
// no-store; the trail redacts it) and is never kept by the console.
func (c *Console) performAdmin(w http.ResponseWriter, r *http.Request, a *active) {
	d, err := c.adminPlan(r, a)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	d.Performed = true
	status := c.runSteps(r, a, d.Steps)
	d.Password = generatedPassword(d.Steps[1].out)
	d.Succeeded = d.Steps[len(d.Steps)-1].Status == "Done"
	if d.Password != "" {
		d.CSV = csvDataURL([][]string{{"User Logon Name", "Password", "Login URL"}, {d.Logon, d.Password, d.LoginURL}})
	}
	v := adminCrumbs(a, "Create an account administrator")
	v.Data = d
	c.render(w, status, "ram_admin", v)
}

// generatedPassword is the password a CreateLoginProfile answer carries
// when the engine generated it.
func generatedPassword(out map[string]any) string {
	lp, _ := out["LoginProfile"].(map[string]any)
	return str(lp["Password"])
}

// statusOf is the HTTP status of a refused call, as the API answers it.
func statusOf(err error) int {
	if s, ok := api.HTTPStatus[apperr.As(err).Kind]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// csvDataURL is a CSV file as a data: URL for a Download CSV link: the
// secret never leaves this answer (no second request could fetch it).
func csvDataURL(rows [][]string) template.URL {
	var b strings.Builder
	cw := csv.NewWriter(&b)
	cw.WriteAll(rows) // a strings.Builder does not fail
	return template.URL("data:text/csv;base64," + base64.StdEncoding.EncodeToString([]byte(b.String())))
}
