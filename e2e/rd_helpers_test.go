package e2e

import (
	"errors"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// rdWorld is a management account with an enabled resource directory, its
// root clients, and an RD administrator: a RAM user with
// AliyunResourceDirectoryFullAccess and AliyunSTSAssumeRoleAccess, as the
// cloud's guides set one up.
type rdWorld struct {
	*ramWorld
	rootRD    *resourcemanager.Client
	admin     *resourcemanager.Client // the RAM administrator
	adminSTS  *sts.Client
	directory resourcemanager.ResourceDirectory
}

func newRDWorld(t *testing.T, opts ...canopytest.Option) *rdWorld {
	t.Helper()
	return newRDWorldOn(t, canopytest.Start(t, opts...))
}

// newRDWorldOn is newRDWorld for a new management account on srv.
func newRDWorldOn(t *testing.T, srv *canopytest.Server) *rdWorld {
	t.Helper()
	w := &rdWorld{ramWorld: accountOn(t, srv)}
	w.rootRD = w.srv.RDClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	req := resourcemanager.CreateEnableResourceDirectoryRequest()
	req.EnableMode = "CurrentAccount"
	resp, err := w.rootRD.EnableResourceDirectory(req)
	ok(t, "EnableResourceDirectory", err)
	w.directory = resp.ResourceDirectory
	w.createUser(t, "rd-admin")
	w.attachToUser(t, "rd-admin", "System", "AliyunResourceDirectoryFullAccess")
	w.attachToUser(t, "rd-admin", "System", "AliyunSTSAssumeRoleAccess")
	id, secret := w.userKey(t, "rd-admin")
	w.admin = w.srv.RDClient(t, id, secret)
	w.adminSTS = w.srv.STSClient(t, id, secret)
	return w
}

func createFolder(t *testing.T, c *resourcemanager.Client, parent, name string) resourcemanager.Folder {
	t.Helper()
	req := resourcemanager.CreateCreateFolderRequest()
	req.ParentFolderId, req.FolderName = parent, name
	resp, err := c.CreateFolder(req)
	ok(t, "CreateFolder "+name, err)
	return resp.Folder
}

func createResourceAccount(t *testing.T, c *resourcemanager.Client, folder, displayName, prefix string) resourcemanager.Account {
	t.Helper()
	req := resourcemanager.CreateCreateResourceAccountRequest()
	req.ParentFolderId, req.DisplayName, req.AccountNamePrefix = folder, displayName, prefix
	resp, err := c.CreateResourceAccount(req)
	ok(t, "CreateResourceAccount "+displayName, err)
	return resp.Account
}

// accessRoleARN is the ARN of a member's ResourceDirectoryAccountAccessRole.
func accessRoleARN(memberID string) string {
	return roleARN(memberID, "ResourceDirectoryAccountAccessRole")
}

// serverCode is the error code of a server error ("" for anything else).
func serverCode(err error) string {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return se.ErrorCode()
	}
	return ""
}
