pp_need curl
base=http://169.254.169.254
set --
pp_clock; t0=$pp_ms
if [ "${PP_version:-v2}" = v2 ]; then
  token=$(curl -sS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' --connect-timeout "${PP_connect_timeout:-2}" --max-time 4 \
    -- "$base/latest/api/token" 2>"$PP_TMP/imds.err"); rc=$?
  [ "$rc" -eq 0 ] && set -- -H "X-aws-ec2-metadata-token: $token"
fi
status=$(curl -sS -o "$PP_TMP/imds.body" -w '%{http_code}' "$@" --connect-timeout "${PP_connect_timeout:-2}" --max-time 4 \
  -- "$base/latest/meta-data/instance-id" 2>>"$PP_TMP/imds.err"); rc=$?
pp_clock; t1=$pp_ms
err=$(cat "$PP_TMP/imds.err" 2>/dev/null)
pp_curl_outcome "$rc" "$err" 169.254.169.254 "$status"
[ "$pp_outcome" = ok ] && pp_outcome=reachable
pp_emit "$pp_outcome" "\"status\":$(pp_int "$status"),\"instanceId\":\"$(pp_json "$(head -c 40 "$PP_TMP/imds.body" 2>/dev/null)")\",\"ms\":$((t1 - t0)),\"detail\":\"$(pp_json "$err")\""
