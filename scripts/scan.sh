#!/usr/bin/env bash
# Bounded wapiti scan of the demo on 127.0.0.1, logged in as staff, juror and applicant.
#
#   make scan            (or: bash scripts/scan.sh)
#
# - wapiti lives in its own venv .venv-scan (Python 3.12 from pyenv; wapiti3 3.2.x);
# - the demo runs with the PRODUCTION configuration (Secure cookies, HSTS) under gunicorn
#   over HTTPS with a throw-away self-signed certificate, on a free loopback port, with a
#   fresh SQLite demo database in a temporary directory;
# - modules: wapiti's defaults without ssl (TLS is the reverse proxy's job) plus csrf, crlf,
#   methods and xxe;
# - one scan per role (anonymous, staff, juror, applicant), each bounded in time;
# - reports: docs/scan/wapiti-<role>.json and docs/scan/summary.md;
# - exit status 1 if wapiti reports any vulnerability or anomaly, or the server answered 500
#   to any request during the scans (access log checked; tracebacks kept in docs/scan/).
#
# Environment: SCAN_TIME (seconds per role, default 240), SCAN_ATTACK_TIME (per module,
# default 60), SCAN_ROLES (default "anonymous staff juror applicant").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCAN_TIME=${SCAN_TIME:-240}
SCAN_ATTACK_TIME=${SCAN_ATTACK_TIME:-60}
SCAN_ROLES=${SCAN_ROLES:-"anonymous staff juror applicant"}
REPORT_DIR="$ROOT/docs/scan"
VENV_SCAN="$ROOT/.venv-scan"
PY="$ROOT/.venv/bin/python"

# --- wapiti -------------------------------------------------------------------------------
if [ ! -x "$VENV_SCAN/bin/wapiti" ]; then
  PY312=$(ls -d "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.12.*/bin/python 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$PY312" ]; then PY312=$(command -v python3.12 || true); fi
  if [ -z "$PY312" ]; then echo "Python 3.12 not found (pyenv install 3.12 or apt-get install python3.12)." >&2; exit 2; fi
  "$PY312" -m venv "$VENV_SCAN"
  "$VENV_SCAN/bin/pip" install -q --upgrade pip
  "$VENV_SCAN/bin/pip" install -q "wapiti3==3.2.*"
fi

# --- the demo -----------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/awards-scan.XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -z "${SCAN_KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="https://127.0.0.1:$PORT"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1

export AWARDS_ENV=production
export AWARDS_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')
export AWARDS_DATABASE_URL="sqlite:///$WORK/awards.sqlite"
export AWARDS_STORAGE_DIR="$WORK/files"
export AWARDS_BASE_URL="$BASE"
# The scanner sends thousands of requests from one address; limits would only hide pages.
export AWARDS_RATELIMIT_ENABLED=0
# A throwaway single-host instance: SQLite, local files and no mail relay on purpose.
export AWARDS_ALLOW_SQLITE=true AWARDS_ALLOW_LOCAL_STORAGE=true AWARDS_ALLOW_NO_SMTP=true
export FLASK_APP=wsgi.py

"$PY" - <<'EOF'
from awards import create_app
from awards.extensions import db

app = create_app()
with app.app_context():
    db.create_all()
EOF
# Demo data with published passwords is refused in production: seed as development.
AWARDS_ENV=development "$ROOT/.venv/bin/flask" seed-demo > "$WORK/seed.log"

"$ROOT/.venv/bin/gunicorn" --workers 2 --bind "127.0.0.1:$PORT" \
  --certfile "$WORK/cert.pem" --keyfile "$WORK/key.pem" \
  --access-logfile "$WORK/access.log" --error-logfile "$WORK/error.log" --capture-output wsgi:app &
SERVER_PID=$!
for _ in $(seq 1 60); do
  if "$PY" -c "import ssl,urllib.request,sys; urllib.request.urlopen('$BASE/healthz', context=ssl._create_unverified_context(), timeout=2)" 2>/dev/null; then break; fi
  sleep 0.5
done

# --- log in and hand the session cookie to wapiti ------------------------------------------
# Flask-Login's strong session protection binds the session to address and User-Agent:
# the login and the scanner must present the same agent.
AGENT="awards-scan/1.0 (wapiti)"
login_cookie() {  # $1 = demo e-mail; prints a wapiti JSON cookie file
  "$PY" - "$BASE" "$1" "$AGENT" <<'EOF'
import http.cookiejar, re, ssl, sys, urllib.parse, urllib.request
from awards.demo.base import DEMO_PASSWORD

base, email, agent = sys.argv[1], sys.argv[2], sys.argv[3]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(
    urllib.request.HTTPCookieProcessor(jar),
    urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
opener.addheaders = [("User-Agent", agent)]
page = opener.open(base + "/konto/anmelden").read().decode()
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": DEMO_PASSWORD,
                               "next": ""}).encode()
# Over HTTPS Flask-WTF also checks the Referer (WTF_CSRF_SSL_STRICT), as a browser sends it.
request = urllib.request.Request(base + "/konto/anmelden", data=data,
                                 headers={"Referer": base + "/konto/anmelden"})
landing = opener.open(request).geturl()
if "/konto/anmelden" in landing:
    sys.exit(f"login failed for {email}")
opener.open(base + "/").read()  # the session now holds its CSRF token too
import json
print(json.dumps({"127.0.0.1": {"/": {c.name: {
    "value": c.value, "expires": None, "secure": bool(c.secure), "port": None, "version": 0}
    for c in jar if c.name == "session"}}}))
EOF
}

mkdir -p "$REPORT_DIR"
SUMMARY="$REPORT_DIR/summary.md"
{
  echo "# wapiti scan"
  echo
  echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ); wapiti $("$VENV_SCAN/bin/wapiti" --version 2>/dev/null | tail -1)"
  echo "- Target: demo under gunicorn (production configuration, HTTPS, self-signed), $BASE"
  echo "- Bound: ${SCAN_TIME}s per role, ${SCAN_ATTACK_TIME}s per attack module, scope folder"
  echo
  echo "| Role | URLs crawled | 200 answers in the role's area | Vulnerabilities | Anomalies | Additionals |"
  echo "| --- | --- | --- | --- | --- | --- |"
} > "$SUMMARY"

FINDINGS=0
for role in $SCAN_ROLES; do
  cookie_args=()
  case "$role" in
    anonymous) ;;
    staff) login_cookie regierung-obb@demo.integrationspreis.example > "$WORK/cookies-$role.json" ;;
    juror) login_cookie jury@demo.integrationspreis.example > "$WORK/cookies-$role.json" ;;
    applicant) login_cookie bewerbung@demo.integrationspreis.example > "$WORK/cookies-$role.json" ;;
    *) echo "unknown role $role" >&2; exit 2 ;;
  esac
  if [ "$role" != anonymous ]; then cookie_args=(-c "$WORK/cookies-$role.json"); fi
  report="$REPORT_DIR/wapiti-$role.json"
  log_start=$(wc -l < "$WORK/access.log")
  echo "== scanning as $role (at most ${SCAN_TIME}s)"
  # Excluded: logging out (ends the scan's session) and deleting the own account.
  "$VENV_SCAN/bin/wapiti" -u "$BASE/" --scope folder --flush-session \
    "${cookie_args[@]}" \
    -x "$BASE/konto/abmelden" -x "$BASE/konto/meine-daten/loeschen" \
    --max-scan-time "$SCAN_TIME" --max-attack-time "$SCAN_ATTACK_TIME" \
    -A "$AGENT" --verify-ssl 0 -t 10 -d 6 --max-links-per-page 60 \
    -m "exec,file,permanentxss,redirect,sql,ssrf,upload,xss,csrf,crlf,methods,xxe" \
    -f json -o "$report" --no-bugreport >"$WORK/wapiti-$role.log" 2>&1 || true
  if [ ! -s "$report" ]; then
    echo "wapiti produced no report for $role; log:" >&2; tail -30 "$WORK/wapiti-$role.log" >&2
    FINDINGS=$((FINDINGS + 1)); continue
  fi
  case "$role" in
    staff) area="/geschaeftsstelle" ;; juror) area="/jury" ;; applicant) area="/bewerbung" ;; *) area="/" ;;
  esac
  counts=$("$PY" - "$report" "$area" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
area = sys.argv[2]
count = lambda key: sum(len(v) for v in r.get(key, {}).values())
crawled = r.get("infos", {}).get("crawled_pages_nbr", len(r.get("infos", {}).get("crawled_pages", [])))
print(crawled, count("vulnerabilities"), count("anomalies"), count("additionals"))
for key in ("vulnerabilities", "anomalies", "additionals"):
    for category, items in r.get(key, {}).items():
        for item in items:
            print(f"  {key}: {category}: {item.get('method')} {item.get('path')} {item.get('parameter', '')} "
                  f"{item.get('info', '')[:160]}", file=sys.stderr)
EOF
)
  read -r crawled vulns anomalies additionals <<<"$counts"
  # Coverage from the server's side: answers 200 to this role's own area during its scan.
  in_area=$(tail -n +"$((log_start + 1))" "$WORK/access.log" | grep -cE "\"(GET|POST) ${area}[^ ]* HTTP/[0-9.]+\" 200 " || true)
  echo "| $role | $crawled | $in_area ($area) | $vulns | $anomalies | $additionals |" >> "$SUMMARY"
  FINDINGS=$((FINDINGS + vulns + anomalies))
done

errors=$(grep -c '" 500 ' "$WORK/access.log" || true)
# wapiti reports a 500 only for some attacks; every 500 the server sent counts as a finding.
grep '" 500 ' "$WORK/access.log" > "$REPORT_DIR/server-500.log" || true
grep -B2 -A30 "Traceback" "$WORK/error.log" > "$REPORT_DIR/server-errors.log" 2>/dev/null || true
FINDINGS=$((FINDINGS + errors))
{
  echo
  echo "Server answers 500 during the scans: $errors (requests: docs/scan/server-500.log, tracebacks: docs/scan/server-errors.log)"
  echo
  if [ "$FINDINGS" -eq 0 ]; then echo "Result: no findings."; else echo "Result: $FINDINGS finding(s); see the JSON reports."; fi
} >> "$SUMMARY"
cat "$SUMMARY"
[ "$FINDINGS" -eq 0 ]
