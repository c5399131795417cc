pp_need bash timeout
n=0; ok=0; last=error; msg=''
t0=$(pp_now_ms)
while [ "$n" -lt "${PP_attempts:-1}" ]; do
  n=$((n + 1))
  # host and port are positional arguments of bash -c, never part of the command text.
  msg=$(timeout "${PP_connect_timeout:-3}" bash -c 'exec 3<>"/dev/tcp/$0/$1" && exec 3>&-' "$PP_host" "$PP_port" 2>&1); rc=$?
  if [ "$rc" -eq 0 ]; then ok=$((ok + 1)); last=connected
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then last=timeout
  else
    case "$msg" in
      *refused*) last=refused ;;
      *'No route'*|*nreachable*) last=unreachable ;;
      *reset*) last=reset ;;
      *'not known'*|*resolution*|*'No address'*) last=nxdomain ;;
      *) last=error ;;
    esac
  fi
done
t1=$(pp_now_ms)
[ "$ok" -gt 0 ] && last=connected
pp_emit "$last" "\"attempts\":$n,\"successes\":$ok,\"ms\":$((t1 - t0)),\"detail\":\"$(pp_json "$msg")\""
