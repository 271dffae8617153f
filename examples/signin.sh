# signin START_URL LOGIN PASSWORD — signs in with curl the way a browser does
# (used by the docs/quickstart-*.md guides; a real app just redirects the
# browser): follows redirects from START_URL (an app's sign-in link) to
# Sesame's sign-in page, posts the form, follows Sesame's redirects and
# prints the app URL Sesame finally sends the browser to (with ?code=… or
# ?ticket=…). Cookies are kept in $SIGNIN_JAR (a file), so the app's own
# cookies are there for the next request. Needs $SESAME (Sesame's URL).
SIGNIN_JAR=${SIGNIN_JAR:-$(mktemp)}
signin() {
  local next=$1 form=""
  # To the sign-in page (or straight back to the app on an SSO session).
  while :; do
    next=$(curl -sS -c "$SIGNIN_JAR" -b "$SIGNIN_JAR" -o /dev/null -w '%{redirect_url}' "$next")
    case "$next" in
      "$SESAME"/login\?*) form=$next; break ;;
      "$SESAME"*) ;;
      "") echo "signin: no redirect to Sesame's sign-in page" >&2; return 1 ;;
      *) printf '%s\n' "$next"; return 0 ;;
    esac
  done
  next=$(curl -sS -c "$SIGNIN_JAR" -b "$SIGNIN_JAR" -o /dev/null -w '%{redirect_url}' \
    --data-urlencode "username=$2" --data-urlencode "password=$3" "$form")
  while [ "${next#"$SESAME"}" != "$next" ]; do
    next=$(curl -sS -c "$SIGNIN_JAR" -b "$SIGNIN_JAR" -o /dev/null -w '%{redirect_url}' "$next")
  done
  [ -n "$next" ] || { echo "signin: Sesame did not send the browser back to the app (wrong password?)" >&2; return 1; }
  printf '%s\n' "$next"
}
