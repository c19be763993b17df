'use strict';
// Walks a Resource Directory flow against a running Canopy with Alibaba
// Cloud's official Node.js SDKs: @alicloud/pop-core (RPC, signature V1
// HMAC-SHA1) and @alicloud/openapi-client (darabonba CallApi, signature V3
// ACS3-HMAC-SHA256). It records what the SDKs hand back (bodies, and for
// refusals the error code and HTTP status as the SDK reports them) and prints
// one JSON object on stdout; e2e/node_sdk_test.go asserts on it. A call that
// later steps depend on and that fails ends the walk with exit status 1 and
// the SDK's error on stderr.
//
// Input (environment): CANOPY_ENDPOINT (host:port), CANOPY_ACCOUNT_ID,
// CANOPY_ACCESS_KEY_ID, CANOPY_ACCESS_KEY_SECRET (the account's root key).

const RPCClient = require('@alicloud/pop-core').RPCClient;
const OpenApi = require('@alicloud/openapi-client');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const endpoint = env('CANOPY_ENDPOINT');
const accountId = env('CANOPY_ACCOUNT_ID');
const root = { id: env('CANOPY_ACCESS_KEY_ID'), secret: env('CANOPY_ACCESS_KEY_SECRET') };

const versions = { rd: '2020-03-31', ram: '2015-05-01', sts: '2015-04-01' };

// pop: a classic RPC client for one product (V1 signature; SecurityToken
// as a parameter for temporary credentials).
function pop(product, key) {
  return new RPCClient({
    endpoint: `http://${endpoint}`,
    apiVersion: versions[product],
    accessKeyId: key.id,
    accessKeySecret: key.secret,
    securityToken: key.token,
  });
}

// v3: a darabonba client (V3 signature, x-acs-security-token for temporary
// credentials; or, with signatureAlgorithm 'v2', its V1 path) and a call of
// any action in RPC style.
function v3(key, signatureAlgorithm) {
  const client = new OpenApi.default(new OpenApi.Config({
    signatureAlgorithm,
    accessKeyId: key.id,
    accessKeySecret: key.secret,
    securityToken: key.token,
    endpoint,
    protocol: 'HTTP',
  }));
  return async (product, action, query, body) => {
    const params = new OpenApi.Params({
      action, version: versions[product], protocol: 'HTTP', method: 'POST', authType: 'AK',
      style: 'RPC', pathname: '/', reqBodyType: body ? 'formData' : 'json', bodyType: 'json',
    });
    const request = new OpenApi.OpenApiRequest({ query: query || {}, body });
    const resp = await client.callApi(params, request, { autoretry: false } /* RuntimeOptions: one attempt */);
    return resp.body;
  };
}

const post = { method: 'POST' };
const oddComments = "ops (team)* it's ~ 100% 运维 & co=1+2! a/b?c";
const results = {};

// record keeps a successful answer under name and returns it.
async function record(name, call) {
  const body = await call();
  results[name] = body;
  return body;
}

// refusal records how the SDK reports an expected error: its code and the
// HTTP status. pop-core keeps the status in err.entry.response; darabonba in
// err.statusCode. An unexpected success is recorded too, for the test to see.
async function refusal(name, call) {
  try {
    results[name] = { unexpectedSuccess: await call() };
  } catch (err) {
    const status = err.entry ? err.entry.response.statusCode : err.statusCode;
    if (!err.code || !status) throw err; // not a server's refusal: a client or network failure
    const data = err.data || {};
    results[name] = {
      code: err.code,
      status,
      message: data.Message,
      requestId: data.RequestId,
      accessDeniedDetail: data.AccessDeniedDetail,
    };
  }
}

async function main() {
  const rootRD = pop('rd', root);
  const rootRAM = pop('ram', root);

  // The management root builds the directory (allowed to the root, as documented).
  const enabled = await record('enable', () =>
    rootRD.request('EnableResourceDirectory', { EnableMode: 'CurrentAccount' }, post));
  const rootFolder = enabled.ResourceDirectory.RootFolderId;
  const folder = await record('createFolder', () =>
    rootRD.request('CreateFolder', { ParentFolderId: rootFolder, FolderName: 'apps' }, post));
  await refusal('duplicateFolder', () =>
    rootRD.request('CreateFolder', { ParentFolderId: rootFolder, FolderName: 'apps' }, post));
  const created = await record('createResourceAccount', () =>
    rootRD.request('CreateResourceAccount', {
      ParentFolderId: folder.Folder.FolderId, DisplayName: 'node-prod', AccountNamePrefix: 'node-prod',
    }, post));
  const member = created.Account.AccountId;
  // A read with GET, the classic client's default method, in pop-core's
  // lower-camel spelling: it capitalises the signed Action and parameter
  // names but sends the x-acs-action header as written.
  await record('listAccounts', () => rootRD.request('listAccounts', { pageNumber: 1, pageSize: 10 }));

  // An RD administrator as the cloud's guides set one up, and a RAM user
  // with no policy at all.
  const admin = await ramUserWithKey(rootRAM, 'rd-admin',
    ['AliyunResourceDirectoryFullAccess', 'AliyunSTSAssumeRoleAccess']);
  const nobody = await ramUserWithKey(rootRAM, 'nobody', []);

  // V1 as the administrator: a read, and logging on to the member.
  await record('adminGetAccount', () =>
    pop('rd', admin).request('GetAccount', { AccountId: member }));
  const roleArn = `acs:ram::${member}:role/ResourceDirectoryAccountAccessRole`;
  const assumed = await record('assumeRole', () =>
    pop('sts', admin).request('AssumeRole', { RoleArn: roleArn, RoleSessionName: 'node-v1' }, post));
  const session = sessionKey(assumed);
  await record('sessionIdentity', () => pop('sts', session).request('GetCallerIdentity', {}));
  await refusal('nobodyListAccounts', () =>
    pop('rd', nobody).request('ListAccounts', {}));

  // The same through darabonba, signature V3: the administrator builds and
  // lists (query parameters and a form body), is refused a duplicate name,
  // logs on to the member and asks who it is; the user with no policy is
  // refused.
  const adminV3 = v3(admin);
  const folderV3 = await record('v3CreateFolder', () =>
    adminV3('rd', 'CreateFolder', null, { ParentFolderId: rootFolder, FolderName: 'ops' }));
  await refusal('v3DuplicateFolder', () =>
    adminV3('rd', 'CreateFolder', { ParentFolderId: rootFolder, FolderName: 'ops' }));
  await record('v3ListAccounts', () =>
    adminV3('rd', 'ListAccountsForParent', { ParentFolderId: folder.Folder.FolderId, PageSize: '5' }));
  await record('v3ListFolders', () =>
    adminV3('rd', 'ListFoldersForParent', { ParentFolderId: rootFolder }));
  const assumedV3 = await record('v3AssumeRole', () =>
    adminV3('sts', 'AssumeRole', { RoleArn: roleArn, RoleSessionName: 'node-v3' }));
  await record('v3SessionIdentity', () => v3(sessionKey(assumedV3))('sts', 'GetCallerIdentity'));
  await refusal('v3NobodyListAccounts', () => v3(nobody)('rd', 'ListAccounts'));

  // darabonba's V1 path (signatureAlgorithm "v2": HMAC-SHA1, Format=json in
  // lower case, SecurityToken as a query parameter).
  const sessionV1 = v3(sessionKey(assumedV3), 'v2');
  await record('darabonbaV1SessionIdentity', () => sessionV1('sts', 'GetCallerIdentity'));
  await record('darabonbaV1ListAccounts', () => v3(admin, 'v2')('rd', 'ListAccounts', { PageSize: '1' }));

  // A wrong secret, as each signature reports it.
  const forged = { id: admin.id, secret: admin.secret.slice(1) + 'x' };
  await refusal('v1WrongSecret', () => pop('rd', forged).request('ListAccounts', {}));
  await refusal('v3WrongSecret', () => v3(forged)('rd', 'ListAccounts'));

  // Signature details: a value with characters each encoder treats its own
  // way (pop-core and the V3 canonical string escape !'()* that Node's
  // querystring leaves bare on the wire; space, %, + and non-ASCII), sent in
  // each place an SDK puts parameters.
  const odd = oddComments;
  await record('oddV1Post', () => rootRAM.request('CreateUser', { UserName: 'odd-v1-post', Comments: odd }, post));
  await record('oddV1Get', () => rootRAM.request('CreateUser', { UserName: 'odd-v1-get', Comments: odd }));
  const rootV3 = v3(root);
  await record('oddV3Query', () => rootV3('ram', 'CreateUser', { UserName: 'odd-v3-query', Comments: odd }));
  await record('oddV3Form', () => rootV3('ram', 'CreateUser', null, { UserName: 'odd-v3-form', Comments: odd }));

  results.input = { accountId, member, folderV3: folderV3.Folder.FolderId, oddComments: odd };
}

// ramUserWithKey creates a RAM user, attaches system policies and returns
// an AccessKey of the user.
async function ramUserWithKey(rootRAM, name, policies) {
  await rootRAM.request('CreateUser', { UserName: name }, post);
  for (const policy of policies) {
    await rootRAM.request('AttachPolicyToUser',
      { PolicyType: 'System', PolicyName: policy, UserName: name }, post);
  }
  const key = await rootRAM.request('CreateAccessKey', { UserName: name }, post);
  results[`${name}Key`] = { AccessKeyId: key.AccessKey.AccessKeyId, Status: key.AccessKey.Status };
  return { id: key.AccessKey.AccessKeyId, secret: key.AccessKey.AccessKeySecret };
}

function sessionKey(assumed) {
  const c = assumed.Credentials;
  // The secret and token stay out of the printed results.
  return { id: c.AccessKeyId, secret: c.AccessKeySecret, token: c.SecurityToken };
}

main().then(() => {
  for (const name of ['assumeRole', 'v3AssumeRole']) {
    const c = results[name].Credentials;
    c.AccessKeySecret = c.AccessKeySecret ? '(set)' : '';
    c.SecurityToken = c.SecurityToken ? '(set)' : '';
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}, (err) => {
  process.stderr.write(`walk failed: ${err.stack || err}\n`);
  if (err.data) process.stderr.write(`server answered: ${JSON.stringify(err.data)}\n`);
  if (err.url) process.stderr.write(`url: ${err.url}\n`);
  process.stderr.write(`results so far: ${JSON.stringify(Object.keys(results))}\n`);
  process.exit(1);
});
