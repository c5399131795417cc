pp_need bash timeout getent
n=0; ok=0; last=error; msg=''; addr=''
pp_clock; t0=$pp_ms
# The address actually used: a name is resolved once here (as the libc resolver does for bash),
# and every attempt connects to that address, which the evidence names.
case "$PP_host" in
  *[!0-9.]*)
    res=$(timeout -- "${PP_connect_timeout:-3}" getent ahostsv4 -- "$PP_host" 2>&1); rc=$?
    addr=$(printf '%s\n' "$res" | sed -n 's/^\([0-9.]*\)[[:space:]]*STREAM.*/\1/p' | head -n 1)
    if [ -z "$addr" ]; then
      pp_unresolved "$PP_host"
      # A slow first lookup on a busy host: when the second one answers, its address is used.
      addr=$(printf '%s\n' "$pp_addrs" | grep -E '^[0-9]+(\.[0-9]+){3}$' | head -n 1)
      if [ -z "$addr" ]; then
        pp_emit "$pp_outcome" "\"attempts\":0,\"successes\":0,\"address\":\"\",\"ms\":$(( $(pp_now_ms) - t0 )),\"detail\":\"$(pp_json "$pp_detail")\""
        exit 0
      fi
    fi ;;
  *) addr=$PP_host ;;
esac
while [ "$n" -lt "${PP_attempts:-1}" ]; do
  n=$((n + 1))
  # Address and port are positional arguments of bash -c, never part of the command text; the
  # connection counts only if bash itself says so (a tool that exits 0 for another reason does not).
  msg=$(timeout -- "${PP_connect_timeout:-3}" bash -c 'exec 3<>"/dev/tcp/$0/$1" && exec 3>&- && echo pp-open' "$addr" "$PP_port" 2>&1); rc=$?
  # What bash said decides: pp-open is printed only once the connection is open, and a refusal is
  # bash's own message. Either counts even when timeout ended bash afterwards (a busy host can take
  # seconds to let it exit); only silence until the time-out is a timeout.
  case "$msg" in
    pp-open) ok=$((ok + 1)); last=connected ;;
    *refused*) last=refused ;;
    *'No route'*|*nreachable*) last=unreachable ;;
    *reset*) last=reset ;;
    *) if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then last=timeout; else last=error; fi ;;
  esac
done
pp_clock; t1=$pp_ms
[ "$ok" -gt 0 ] && last=connected
pp_emit "$last" "\"attempts\":$n,\"successes\":$ok,\"address\":\"$(pp_json "$addr")\",\"ms\":$((t1 - t0)),\"detail\":\"$(pp_json "$msg")\""
