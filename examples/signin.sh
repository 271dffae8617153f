# signin START_URL LOGIN PASSWORD — signs in with curl the way a browser does
# (examples for the docs/quickstart-*.md guides; a real app just redirects the
# browser): opens START_URL (an app's sign-in URL on Sesame), posts the login
# form, follows Sesame's redirects and prints the app URL Sesame finally sends
# the browser to (with ?code=… or ?ticket=…). Needs $SESAME (Sesame's URL).
signin() {
  local jar next
  jar=$(mktemp)
  next=$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$1")
  next=$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' \
    --data-urlencode "username=$2" --data-urlencode "password=$3" "$next")
  while [ "${next#"$SESAME"}" != "$next" ]; do
    next=$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$next")
  done
  rm -f "$jar"
  [ -n "$next" ] || { echo "signin: Sesame did not send the browser back to the app" >&2; return 1; }
  printf '%s\n' "$next"
}
