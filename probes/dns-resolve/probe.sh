tool=${PP_tool:-auto}
if [ "$tool" = auto ]; then
  if command -v dig >/dev/null 2>&1; then tool=dig; else tool=getent; fi
fi
pp_need timeout "$tool"
pp_clock; t0=$pp_ms
pp_resolve "$PP_name" "$tool" "${PP_resolve_timeout:-4}"
pp_clock; t1=$pp_ms
pp_emit "$pp_outcome" "\"addresses\":$(pp_addr_json "$pp_addrs"),\"server\":\"$(pp_json "$pp_server")\",\"via\":\"$tool\",\"ms\":$((t1 - t0)),\"detail\":\"$(pp_json "$pp_detail")\""
