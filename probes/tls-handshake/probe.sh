pp_need curl
port=${PP_port:-443}
set --
[ -n "${PP_address:-}" ] && set -- --connect-to "$PP_host:$port:$PP_address:$port"
pp_clock; t0=$pp_ms
out=$(curl -sS -o /dev/null --connect-timeout "${PP_connect_timeout:-3}" --max-time "${PP_max_time:-8}" \
  -w '%{http_code} %{remote_ip} %{ssl_verify_result}' "$@" -- "https://$PP_host:$port/" 2>"$PP_TMP/tls.err"); rc=$?
pp_clock; t1=$pp_ms
err=$(cat "$PP_TMP/tls.err" 2>/dev/null)
pp_curl_outcome "$rc" "$err" "$PP_host" "$out"
[ "$pp_outcome" = ok ] && pp_outcome=verified
ip=${out#* }
pp_emit "$pp_outcome" "\"ip\":\"$(pp_json "${ip%% *}")\",\"sni\":\"$(pp_json "$PP_host")\",\"curl\":$rc,\"ms\":$((t1 - t0)),\"detail\":\"$(pp_json "${pp_detail:-$err}")\""
