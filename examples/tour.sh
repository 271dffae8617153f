# The README's tour: paste it into a shell at the top of the repository (or run
# `bash examples/tour.sh`). It builds Sesame, starts it on a fresh data directory,
# waits until it is ready, walks through the admin API, and stops at the first
# failure with the reason. Needs Go, curl >= 7.82 and jq. TestTour
# (internal/app/tour_test.go) runs this file.
(
set -euo pipefail
for tool in go curl jq; do command -v $tool >/dev/null || { echo "the tour needs $tool" >&2; exit 1; }; done
PORT=${PORT:-8080}; MGMT=${MGMT:-9090}
SESAME=http://127.0.0.1:$PORT; API=$SESAME/api/v1
DIR=$(mktemp -d)                                  # a fresh data directory, nothing from earlier runs
go build -o "$DIR/sesame" ./cmd/sesame            # a binary: stopping it stops the server (go run would not)
SESAME_BOOTSTRAP_ADMIN_PASSWORD='change-me-now-please' \
  "$DIR/sesame" serve --data-dir "$DIR/data" --addr 127.0.0.1:$PORT --management-addr 127.0.0.1:$MGMT >"$DIR/sesame.log" 2>&1 &
PID=$!
trap 'status=$?; if [ $status -ne 0 ]; then kill $PID 2>/dev/null || true; echo "tour failed (exit $status); server log: $DIR/sesame.log" >&2; tail -5 "$DIR/sesame.log" >&2; fi' EXIT
for i in $(seq 150); do
  kill -0 $PID 2>/dev/null || { echo "Sesame exited at start" >&2; exit 1; }
  curl -sf --max-time 2 -o /dev/null $SESAME/readyz && break; sleep 0.2
done
curl -sf --max-time 2 -o /dev/null $SESAME/readyz || { echo "Sesame did not become ready on $SESAME" >&2; exit 1; }
echo "Sesame is ready on $SESAME (metrics on http://127.0.0.1:$MGMT/metrics)"
A='admin:change-me-now-please'
api() { curl -sS --fail-with-body -u "$A" "$@"; }   # fails loudly on any 4xx/5xx

# An account under root; a template of rights; a group made from it.
ROOT=$(api "$API/contexts?type=root" | jq -r '.items[0].id')
ACC=$(api $API/contexts --json "{\"type\":\"account\",\"name\":\"Acme Mobile\",\"number\":\"ACC-42\",\"parentId\":\"$ROOT\"}" | jq -r .id)
T=$(api $API/templates --json '{"name":"SIM operator","contextTypes":["account"],"values":[
  {"module":"portal","acl":"SIM - Price Plan Modify","value":"true"},
  {"module":"portal","acl":"API IP Allow","value":"10.0.0.0/8"}]}' | jq -r .id)
G=$(api $API/groups --json "{\"contextId\":\"$ACC\",\"name\":\"Operators\",\"templateId\":\"$T\"}" | jq -r .id)

# A user: created as a draft, activated, put in the group.
U=$(api $API/users --json "{\"loginName\":\"olivia\",\"domain\":\"ENTERPRISE\",\"contexts\":[\"$ACC\"],\"password\":\"amber-lantern-orbit-31\"}" | jq -r .id)
api -X POST $API/users/$U/activate | jq -r .status                          # active
api $API/groups/$G/members --json "{\"userId\":\"$U\"}" > /dev/null

# Her effective rights, with the group that set each value.
api "$API/users/$U/rights?contextId=$ACC&module=portal" | jq -c '.rights[] | select(.assigned) | {name, value, setBy}'

# She signs in with her own password; a wrong one is refused.
curl -sS --fail-with-body -u olivia:amber-lantern-orbit-31 $API/me | jq -r .loginName   # olivia
curl -sS -o /dev/null -w '%{http_code}\n' -u olivia:wrong-password $API/me           # 401

# The policy decision a portal asks (docs/quickstart-portal.md).
P=$(api $API/clients --json '{"name":"Portal backend","module":"portal","protocol":"oidc","grantTypes":["client_credentials"],"policyDecision":true}')
PT=$(curl -sS --fail-with-body -u "$(echo "$P" | jq -r .id):$(echo "$P" | jq -r .secret)" $SESAME/oauth2/token -d grant_type=client_credentials | jq -r .access_token)
curl -sS --fail-with-body -H "Authorization: Bearer $PT" $API/authorize --json "{\"credentials\":{\"login\":\"olivia\",
  \"password\":\"amber-lantern-orbit-31\"},\"ip\":\"10.1.2.3\",\"module\":\"portal\",\"contextId\":\"$ACC\"}" | jq -c '{allow, via}'   # {"allow":true,"via":"basic"}

# The demo data (examples/demo.yaml): a tenant, accounts, groups, alice and two apps.
DEMO_PORTAL_SECRET=demo-portal-secret-123456 "$DIR/sesame" apply -f examples/demo.yaml --data-dir "$DIR/data"
ALICE=telco/alice:wonderland-rabbit-hole-7       # tenant slug / login name : password
ACME=$(curl -sS --fail-with-body -u $ALICE $API/me/contexts | jq -r '.items[] | select(.name == "Acme") | .id')
curl -sS --fail-with-body -u $ALICE "$API/me/rights?module=portal&contextId=$ACME" \
  | jq -c '.rights[] | select(.assigned) | {name, value, setBy}'           # what alice may do in Acme

# The audit log, the metrics, the OpenAPI document.
api "$API/audit?targetId=$U" | jq -r '.items[].action' | sort | uniq -c
curl -sS http://127.0.0.1:$MGMT/metrics | grep '^sesame_logins_total'
curl -sS --fail-with-body $API/openapi.json | jq '.paths | length'
echo "Sesame keeps running (data in $DIR/data). Stop it with: kill $PID"
)
