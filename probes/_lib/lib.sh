# Helpers shared by every probe; prepended once to each batch script.
# POSIX sh only: the SSM agent runs commands with sh. Every probe prints exactly one JSON line
# and exits 0 (137 would read as TimedOut and 194 reboots the host).
# Parameters arrive as environment variables PP_<name>, validated and single-quoted by pathproof.

# Milliseconds on a monotonic clock, for durations only, into pp_ms: a function that sets a variable
# costs no process (a busy host runs hundreds of probes, and starting processes is what it runs out
# of; `$(...)` would fork). /proc/uptime is read by the shell itself; date is the fallback.
pp_clock() {
  if read -r pp_up _ </proc/uptime 2>/dev/null && [ "${pp_up#*.}" != "$pp_up" ]; then
    pp_ms=$(( ${pp_up%.*} * 1000 + 1${pp_up#*.} * 10 - 1000 ))
  else
    pp_d=$(date +%s%3N 2>/dev/null)
    case "$pp_d" in ''|*N*) pp_ms=$(( $(date +%s) * 1000 )) ;; *) pp_ms=$pp_d ;; esac
  fi
}

# The same, printed (for an expression that needs it inline).
pp_now_ms() { pp_clock; echo "$pp_ms"; }

# JSON string contents: control characters dropped, backslash and quote escaped, at most 300 bytes.
# Plain text (the common case: addresses, names, short messages) needs no process.
pp_json() {
  case "$1" in
    *[!A-Za-z0-9\ ._:/,=+@%-]*) ;;
    *) if [ "${#1}" -le 300 ]; then printf '%s' "$1"; return; fi ;;
  esac
  printf '%s' "$1" | tr -d '\000-\037' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | head -c 300
}

# pp_emit OUTCOME [JSON-FRAGMENT]: the probe's one line of output.
pp_emit() {
  if [ -n "${2:-}" ]; then printf '{"r":"%s",%s}\n' "$1" "$2"; else printf '{"r":"%s"}\n' "$1"; fi
}

# pp_need TOOL...: report tool-missing instead of guessing when a command is absent.
pp_need() {
  for pp_t in "$@"; do
    command -v "$pp_t" >/dev/null 2>&1 || { pp_emit tool-missing "\"tool\":\"$pp_t\""; exit 0; }
  done
}

# pp_addr_json "LIST": newline-separated addresses as a JSON array.
pp_addr_json() {
  pp_a=''
  pp_f=$-; set -f
  for pp_x in $1; do
    case "$pp_x" in *[!0-9.]*|'') continue ;; esac
    pp_a="${pp_a:+$pp_a,}\"$pp_x\""
  done
  case "$pp_f" in *f*) ;; *) set +f ;; esac
  printf '[%s]' "$pp_a"
}

# pp_resolve NAME TOOL SECONDS: sets pp_outcome (resolved|nxdomain|no-answer|servfail|refused|timeout|not-found|error),
# pp_addrs (newline separated), pp_server (who answered, when the tool can tell) and pp_detail.
# Values never reach a tool as options: `--` ends timeout's and getent's options, dig takes the
# name with -q. An outcome is reported only when the tool's own output confirms it.
pp_resolve() {
  pp_server=''; pp_addrs=''; pp_detail=''
  if [ "$2" = dig ]; then
    pp_out=$(timeout -- "$3" dig +time=2 +tries=1 +noall +comments +answer +stats -t A -q "$1" 2>&1); pp_rc=$?
    # One sed pass tags what matters (a busy host runs out of processes, not of CPU): S status,
    # V the server that answered, A an IPv4 answer, D the line worth quoting.
    pp_tags=$(printf '%s\n' "$pp_out" | sed -n -e '/status:/{h;s/^/D /p;g;s/.*status: \([A-Z]*\).*/S \1/p;}' \
      -e 's/^;; SERVER: \([^#]*\)#.*/V \1/p' -e '/timed out/s/^/D /p' -e '/no servers/s/^/D /p' \
      -e '/^;/!s/.*[[:space:]]IN[[:space:]][[:space:]]*A[[:space:]][[:space:]]*\([0-9.]*\)$/A \1/p')
    pp_status=''
    while read -r pp_tag pp_val; do
      case "$pp_tag" in
        S) [ -z "$pp_status" ] && pp_status=$pp_val ;;
        V) [ -z "$pp_server" ] && pp_server=$pp_val ;;
        A) pp_addrs="${pp_addrs:+$pp_addrs
}$pp_val" ;;
        D) [ -z "$pp_detail" ] && pp_detail=$pp_val ;;
      esac
    done <<PP_TAGS_END
$pp_tags
PP_TAGS_END
    # A status line means dig printed a reply it received, even when timeout ended dig after that
    # (a busy host can take seconds to let it exit): the resolver's answer is the evidence.
    case "$pp_status" in
      NOERROR) if [ -n "$pp_addrs" ]; then pp_outcome=resolved; else pp_outcome=no-answer; fi ;;
      NXDOMAIN) pp_outcome=nxdomain ;;
      SERVFAIL) pp_outcome=servfail ;;
      REFUSED) pp_outcome=refused ;;
      '') if [ "$pp_rc" -eq 124 ]; then pp_outcome=timeout
          else case "$pp_out" in *'timed out'*|*'no servers'*) pp_outcome=timeout ;; *) pp_outcome=error ;; esac
          fi ;;
      *) pp_outcome=error ;;
    esac
  else
    pp_out=$(timeout -- "$3" getent ahostsv4 -- "$1" 2>&1); pp_rc=$?
    pp_addrs=$(printf '%s\n' "$pp_out" | sed -n 's/^\([0-9.]*\)[[:space:]]*STREAM.*/\1/p')
    pp_server=$(sed -n 's/^nameserver[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/resolv.conf 2>/dev/null | head -n 1)
    # Addresses getent printed are an answer, even when timeout ended it afterwards (a busy host).
    [ -n "$pp_addrs" ] && pp_rc=0
    case "$pp_rc" in
      0) if [ -n "$pp_addrs" ]; then pp_outcome=resolved; else pp_outcome=error; pp_detail='getent exit 0 without an address'; fi ;;
      # getent cannot tell NXDOMAIN from a resolver that never answered: both are exit 2. Say so.
      2) pp_outcome=not-found; pp_detail='NXDOMAIN or no answer from the resolver (getent cannot tell them apart; dig can)' ;;
      124) pp_outcome=timeout ;;
      *) pp_outcome=error; pp_detail="getent exit $pp_rc" ;;
    esac
  fi
}

# pp_unresolved NAME: after a tool failed to resolve NAME, asks why (dig when present, else getent),
# so that a resolver that did not answer is never reported as a name that does not exist. Sets
# pp_outcome to nxdomain | servfail | no-answer | dns-refused | no-resolver | not-found (cannot tell).
pp_unresolved() {
  if command -v dig >/dev/null 2>&1; then pp_resolve "$1" dig 3; else pp_resolve "$1" getent 3; fi
  case "$pp_outcome" in
    nxdomain|not-found|servfail|no-answer) ;;
    refused) pp_outcome=dns-refused ;;
    timeout) pp_outcome=no-resolver ;;
    resolved) pp_outcome=not-found; pp_detail='the tool could not resolve the name, but a second lookup did' ;;
    *) pp_outcome=not-found ;;
  esac
}

# pp_curl_outcome EXIT STDERR HOST [WRITEOUT]: maps curl's exit code to an outcome keyword in pp_outcome.
# Exit 0 counts only when curl's own write-out (an HTTP code) is there to confirm it.
pp_curl_outcome() {
  case "$1" in
    0) case "${4-000}" in [0-9][0-9][0-9]*) pp_outcome=ok ;; *) pp_outcome=error ;; esac ;;
    6) pp_unresolved "$3" ;;
    7) case "$2" in *'No route'*|*nreachable*) pp_outcome=unreachable ;; *) pp_outcome=refused ;; esac ;;
    28) pp_outcome=timeout ;;
    35|53|54|59|66|80) pp_outcome=tls-error ;;
    51|58|60|77|83|90|91) pp_outcome=cert-invalid ;;
    # 18: the connection closed before the answer was whole (a stream cut by an idle time-out).
    18|52|56) pp_outcome=reset ;;
    *) pp_outcome=error ;;
  esac
}

# pp_int VALUE: a JSON-safe integer ("000" and garbage become 0).
pp_int() {
  pp_v=$(printf '%s' "$1" | sed 's/^0*//')
  case "$pp_v" in ''|*[!0-9]*) echo 0 ;; *) echo "$pp_v" ;; esac
}
