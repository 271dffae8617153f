// A second, independent SCIM client for Sesame's /scim/v2 (issue 12),
// driven by internal/scim's TestSecondClient: the Entra ID and Okta
// scenarios again, but every resource the server returns is checked
// against SCIMMY's own RFC 7643 schema definitions, every PatchOp message
// is built by SCIMMY (which refuses malformed ones), every filter is
// parsed by SCIMMY first, and the result of each PATCH is predicted by
// scim-patch (an RFC 7644 §3.5.2 implementation) and compared with what
// the server answers.
//
// Usage: node client.mjs <base URL> <SCIM token>
import SCIMMY from "scimmy";
import { scimPatch } from "scim-patch";

const [base, token] = process.argv.slice(2);
SCIMMY.Schemas.User.extend(SCIMMY.Schemas.EnterpriseUser, false);
let passed = 0, failed = 0;

function check(what, ok, detail) {
  if (ok) { passed++; return; }
  failed++;
  console.log(`FAIL ${what}: ${detail ?? ""}`);
}

async function req(method, path, body) {
  const res = await fetch(`${base}/scim/v2${path}`, {
    method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// conforms checks a returned resource against SCIMMY's schema definition.
function conforms(what, Schema, resource) {
  try {
    const s = new Schema(resource, "out");
    check(`${what} conforms to ${Schema.id}`, s.id === resource.id, JSON.stringify(resource));
  } catch (e) {
    check(`${what} conforms to ${Schema.id}`, false, `${e.message}: ${JSON.stringify(resource)}`);
  }
}

function filter(expr) {
  new SCIMMY.Types.Filter(expr); // throws on a filter SCIMMY would not send
  return encodeURIComponent(expr);
}

function patchOp(...ops) {
  const msg = { schemas: [SCIMMY.Messages.PatchOp.id], Operations: ops };
  new SCIMMY.Messages.PatchOp(msg); // validates the message
  return msg;
}

const pickUser = (u) => JSON.stringify({ userName: u.userName, name: u.name, emails: u.emails, active: u.active, displayName: u.displayName,
  title: u.title, ent: u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] });

// Entra ID's shapes (Microsoft Learn, "Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID").
const userName = "Test_User_second_client@contoso.com";
let r = await req("GET", `/Users?filter=${filter(`userName eq "${userName}"`)}`);
check("lookup before create", r.status === 200 && r.body.totalResults === 0, JSON.stringify(r.body));
r = await req("POST", "/Users", {
  schemas: [SCIMMY.Schemas.User.id, SCIMMY.Schemas.EnterpriseUser.id], externalId: "ext-second-client", userName, active: true,
  emails: [{ primary: true, type: "work", value: "second.client@contoso.com" }],
  name: { formatted: "Second Client", familyName: "Client", givenName: "Second" },
  [SCIMMY.Schemas.EnterpriseUser.id]: { department: "Sales" },
});
check("create", r.status === 201, JSON.stringify(r.body));
const user = r.body;
conforms("created user", SCIMMY.Schemas.User, user);
r = await req("GET", `/Users?filter=${filter(`externalId eq "ext-second-client"`)}`);
check("get by externalId", r.status === 200 && r.body.totalResults === 1 && r.body.Resources[0].id === user.id, JSON.stringify(r.body));
conforms("listed user", SCIMMY.Schemas.User, r.body.Resources[0]);

// Each PATCH: scim-patch predicts, the server answers, both must agree.
const patches = [
  [{ op: "replace", path: 'emails[type eq "work"].value', value: "updated@contoso.com" }, { op: "replace", path: "name.familyName", value: "Updated" }],
  [{ op: "add", path: "title", value: "Engineer" }, { op: "replace", path: "displayName", value: "Second Updated" }],
  [{ op: "replace", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", value: "Marketing" }],
  [{ op: "remove", path: "title" }],
  [{ op: "replace", path: "active", value: false }],
];
let current = user;
for (const [i, ops] of patches.entries()) {
  const predicted = scimPatch(structuredClone(current), ops);
  r = await req("PATCH", `/Users/${user.id}`, patchOp(...ops));
  check(`patch ${i + 1} status`, r.status === 200, JSON.stringify(r.body));
  conforms(`patch ${i + 1} result`, SCIMMY.Schemas.User, r.body);
  check(`patch ${i + 1} as scim-patch predicts`, pickUser(r.body) === pickUser(predicted),
    `server ${pickUser(r.body)}\npredicted ${pickUser(predicted)}`);
  current = r.body;
}

// Okta's group push (developer.okta.com, "SCIM 2.0 protocol reference"), with a batch of 300 members.
const members = [];
for (let i = 0; i < 300; i++) {
  r = await req("POST", "/Users", { schemas: [SCIMMY.Schemas.User.id], userName: `member${i}@okta.local`, externalId: `okta-${i}` });
  if (r.status !== 201) { check(`member ${i}`, false, JSON.stringify(r.body)); break; }
  members.push(r.body.id);
}
r = await req("POST", "/Groups", { schemas: [SCIMMY.Schemas.Group.id], displayName: "Second Client Group", members: [] });
check("create group", r.status === 201, JSON.stringify(r.body));
const group = r.body;
conforms("created group", SCIMMY.Schemas.Group, group);
r = await req("PATCH", `/Groups/${group.id}`, patchOp({ op: "add", path: "members", value: members.map((value) => ({ value })) }));
check("add 300 members in one PATCH", r.status === 204, JSON.stringify(r.body));
r = await req("PATCH", `/Groups/${group.id}`, patchOp({ op: "remove", path: `members[value eq "${members[0]}"]` }));
check("remove one member", r.status === 204, JSON.stringify(r.body));
r = await req("GET", `/Groups/${group.id}`);
conforms("group with members", SCIMMY.Schemas.Group, r.body);
const have = new Set(r.body.members.map((m) => m.value));
check("members after the batch", have.size === 299 && !have.has(members[0]) && have.has(members[299]), `${have.size} members`);
r = await req("GET", `/Groups?filter=${filter(`members.value eq "${members[1]}"`)}&excludedAttributes=members`);
check("group by member", r.status === 200 && r.body.totalResults === 1 && r.body.Resources[0].members === undefined, JSON.stringify(r.body));
r = await req("GET", `/Users?filter=${filter(`userName sw "member1"`)}&sortBy=userName&sortOrder=descending&count=5&startIndex=2&attributes=userName`);
check("paged, sorted, projected list", r.status === 200 && r.body.totalResults === 111 && r.body.Resources.length === 5 &&
  r.body.Resources[0].emails === undefined, JSON.stringify(r.body));
r = await req("DELETE", `/Groups/${group.id}`);
check("delete group", r.status === 204, JSON.stringify(r.body));
r = await req("DELETE", `/Users/${user.id}`);
check("delete user", r.status === 204, JSON.stringify(r.body));

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
