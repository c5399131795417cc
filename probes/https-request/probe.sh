pp_need curl
port=${PP_port:-443}
set -- -X "${PP_method:-GET}"
[ -n "${PP_address:-}" ] && set -- "$@" --connect-to "$PP_host:$port:$PP_address:$port"
case "${PP_method:-GET}" in POST|PUT) set -- "$@" -H 'Content-Type: application/json' --data '{"inputText":"pathproof probe","maxTokens":1}' ;; esac
pp_clock; t0=$pp_ms
# `--` ends curl's options: the URL can never be read as one.
out=$(curl -sS -o /dev/null -D "$PP_TMP/https.h" --connect-timeout "${PP_connect_timeout:-3}" --max-time "${PP_max_time:-8}" \
  -w '%{http_code} %{remote_ip}' "$@" -- "${PP_scheme:-https}://$PP_host:$port${PP_path:-/}" 2>"$PP_TMP/https.err"); rc=$?
pp_clock; t1=$pp_ms
err=$(cat "$PP_TMP/https.err" 2>/dev/null)
reqid=$(grep -i '^x-amzn-requestid:' "$PP_TMP/https.h" 2>/dev/null | head -n 1 | sed 's/^[^:]*:[[:space:]]*//' | tr -d '\r')
pp_curl_outcome "$rc" "$err" "$PP_host" "$out"
[ "$pp_outcome" = ok ] && pp_outcome=http
pp_emit "$pp_outcome" "\"status\":$(pp_int "${out%% *}"),\"ip\":\"$(pp_json "${out#* }")\",\"requestId\":\"$(pp_json "$reqid")\",\"curl\":$rc,\"ms\":$((t1 - t0)),\"detail\":\"$(pp_json "${pp_detail:-$err}")\""
