package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/store"
)

// rdAPI drives the server as a RAM administrator of the management
// account (AliyunResourceDirectoryFullAccess), one call at a time.
type rdAPI struct {
	addr    string
	http    *http.Client
	admin   credential
	account string
	rootID  string
	lat     []time.Duration // latencies of createMember since the last reset
}

// call sends one signed call (signed before the clock starts) and decodes
// its answer into out (nil: discard).
func (a *rdAPI) call(c credential, v url.Values, out any, lat *[]time.Duration) error {
	u := signedCall(a.addr, c, v)
	t0 := time.Now()
	resp, err := a.http.Get(u)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if lat != nil {
		*lat = append(*lat, time.Since(t0))
	}
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %d %s", v.Get("Action"), resp.StatusCode, body)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(body, out)
}

func rdParams(action string, kv ...string) url.Values {
	v := url.Values{"Action": {action}, "Version": {"2020-03-31"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func ramParams(kv ...string) url.Values {
	v := url.Values{"Version": {"2015-05-01"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// setup enables the directory as the root user and creates the RAM
// administrator with an AccessKey.
func (a *rdAPI) setup(root credential) error {
	var who struct{ AccountId string }
	if err := a.call(root, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2015-04-01"}}, &who, nil); err != nil {
		return err
	}
	a.account = who.AccountId
	var enabled struct{ ResourceDirectory struct{ RootFolderId string } }
	if err := a.call(root, rdParams("EnableResourceDirectory", "EnableMode", "CurrentAccount"), &enabled, nil); err != nil {
		return err
	}
	a.rootID = enabled.ResourceDirectory.RootFolderId
	for _, s := range []url.Values{
		ramParams("Action", "CreateUser", "UserName", "rd-admin"),
		ramParams("Action", "AttachPolicyToUser", "UserName", "rd-admin", "PolicyType", "System", "PolicyName", "AliyunResourceDirectoryFullAccess"),
	} {
		if err := a.call(root, s, nil, nil); err != nil {
			return err
		}
	}
	var key struct {
		AccessKey struct{ AccessKeyId, AccessKeySecret string }
	}
	if err := a.call(root, ramParams("Action", "CreateAccessKey", "UserName", "rd-admin"), &key, nil); err != nil {
		return err
	}
	a.admin = credential{id: key.AccessKey.AccessKeyId, secret: key.AccessKey.AccessKeySecret}
	return nil
}

// rdTree is the folder tree built for the run.
type rdTree struct {
	levels [][]string // folder ids per level below Root
	all    []string   // every folder and Root
}

// levelSizes spread 1,000 folders over five levels as a real directory
// might (the shape of shared/reference/performance.md's tree).
var levelSizes = []float64{0.010, 0.061, 0.175, 0.318, 0.436}

// moveTargets are two folders a member moves between: one at level 1,
// one at the deepest level.
func (t *rdTree) moveTargets() [2]string {
	return [2]string{t.levels[0][0], t.levels[len(t.levels)-1][1]}
}

func (a *rdAPI) buildTree(total int) (*rdTree, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	t := &rdTree{all: []string{a.rootID}}
	parents := []string{a.rootID}
	n := 0
	for level, share := range levelSizes {
		size := max(2, int(share*float64(total)))
		if level == len(levelSizes)-1 {
			size = max(2, total-n)
		}
		var ids []string
		for i := 0; i < size; i++ {
			var out struct{ Folder struct{ FolderId string } }
			parent := parents[rng.IntN(len(parents))]
			if err := a.call(a.admin, rdParams("CreateFolder", "ParentFolderId", parent, "FolderName", fmt.Sprintf("L%d-%04d", level+1, n)), &out, nil); err != nil {
				return nil, err
			}
			ids = append(ids, out.Folder.FolderId)
			n++
		}
		t.levels = append(t.levels, ids)
		t.all = append(t.all, ids...)
		parents = ids
	}
	return t, nil
}

func (a *rdAPI) createMember(folder, name string) (string, error) {
	var out struct{ Account struct{ AccountId string } }
	err := a.call(a.admin, rdParams("CreateResourceAccount", "ParentFolderId", folder, "DisplayName", name), &out, &a.lat)
	return out.Account.AccountId, err
}

func (a *rdAPI) listPage(number, size int) error {
	var out struct {
		TotalCount int
		Accounts   struct{ Account []struct{ AccountId string } }
	}
	if err := a.call(a.admin, rdParams("ListAccounts", "PageNumber", strconv.Itoa(number), "PageSize", strconv.Itoa(size)), &out, nil); err != nil {
		return err
	}
	if len(out.Accounts.Account) != size {
		return fmt.Errorf("ListAccounts page %d listed %d of %d", number, len(out.Accounts.Account), out.TotalCount)
	}
	return nil
}

func (a *rdAPI) ancestors(folder string) error {
	var out struct {
		Folders struct{ Folder []struct{ FolderId string } }
	}
	if err := a.call(a.admin, rdParams("ListAncestors", "ChildId", folder), &out, nil); err != nil {
		return err
	}
	if len(out.Folders.Folder) != len(levelSizes) {
		return fmt.Errorf("ListAncestors listed %d folders", len(out.Folders.Folder))
	}
	return nil
}

func (a *rdAPI) move(member, folder string) error {
	return a.call(a.admin, rdParams("MoveAccount", "AccountId", member, "DestinationFolderId", folder), nil, nil)
}

// rdLocal runs the directory's calls in the driver's own process over the
// server's store.
type rdLocal struct {
	st      store.Backend
	svc     *directory.Service
	account string
}

func openRDLocal(data, db, account string, limits directory.Limits) (*rdLocal, error) {
	st, ring, err := app.OpenStore(context.Background(), app.Config{DataDir: data, DB: db})
	if err != nil {
		return nil, err
	}
	return &rdLocal{st: st, svc: directory.New(iam.New(ring), limits), account: account}, nil
}

func (l *rdLocal) close() { l.st.Close() }

func (l *rdLocal) memberKeys() ([]string, error) {
	var keys []string
	err := l.st.Read(context.Background(), func(tx store.Tx) error {
		recs, err := tx.Records().List(store.Query{AccountID: l.account, Kind: "rd-member"})
		for _, r := range recs {
			keys = append(keys, r.Key)
		}
		return err
	})
	return keys, err
}

func (l *rdLocal) listPage(number, size int) error {
	return l.st.Read(context.Background(), func(tx store.Tx) error {
		got, _, err := l.svc.ListAccounts(tx, l.account, directory.AccountFilter{}, directory.Page{Number: &number, Size: &size})
		if err == nil && len(got.Items) != size {
			err = fmt.Errorf("page %d listed %d", number, len(got.Items))
		}
		return err
	})
}

func (l *rdLocal) ancestors(folder string) error {
	return l.st.Read(context.Background(), func(tx store.Tx) error {
		got, err := l.svc.ListAncestors(tx, l.account, folder)
		if err == nil && len(got) != len(levelSizes) {
			err = fmt.Errorf("ListAncestors listed %d", len(got))
		}
		return err
	})
}

func (l *rdLocal) move(member, folder string) error {
	return l.st.Write(context.Background(), func(tx store.Tx) error {
		return l.svc.MoveAccount(tx, l.account, member, folder, time.Now())
	})
}

func (l *rdLocal) create(folder, name string) error {
	return l.st.Write(context.Background(), func(tx store.Tx) error {
		_, err := l.svc.CreateResourceAccount(tx, l.account, directory.NewResourceAccount{DisplayName: name, ParentFolderID: folder}, time.Now())
		return err
	})
}
