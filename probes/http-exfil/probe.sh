pp_need curl
n=0; ok=0; last=error; status=0; err=''; ip=''
pp_clock; t0=$pp_ms
while [ "$n" -lt "${PP_attempts:-1}" ]; do
  n=$((n + 1))
  out=$(curl -sS -o /dev/null -X POST -H "X-Pathproof-Marker: $PP_marker" --data "pathproof-exfil-test marker=$PP_marker" \
    --connect-timeout "${PP_connect_timeout:-3}" --max-time "${PP_max_time:-6}" -w '%{http_code} %{remote_ip}' \
    -- "${PP_scheme:-http}://$PP_host:${PP_port:-80}/exfil/$PP_marker" 2>"$PP_TMP/exfil.err"); rc=$?
  err=$(cat "$PP_TMP/exfil.err" 2>/dev/null)
  status=${out%% *}; [ -n "${out#* }" ] && ip=${out#* }
  pp_curl_outcome "$rc" "$err" "$PP_host" "$out"
  if [ "$pp_outcome" = ok ]; then ok=$((ok + 1)); last=delivered; else last=$pp_outcome; fi
done
pp_clock; t1=$pp_ms
[ "$ok" -gt 0 ] && last=delivered
pp_emit "$last" "\"attempts\":$n,\"successes\":$ok,\"status\":$(pp_int "$status"),\"ip\":\"$(pp_json "$ip")\",\"marker\":\"$PP_marker\",\"ms\":$((t1 - t0)),\"detail\":\"$(pp_json "${pp_detail:-$err}")\""
