op=$PP_operation
host="bedrock-runtime.$PP_region.amazonaws.com"
ct=${PP_connect_timeout:-3}
mt=${PP_call_seconds:-20}
tool=${PP_tool:-auto}
case "$tool:$op" in
  auto:converse|auto:invoke-model) if command -v aws >/dev/null 2>&1; then tool=cli; else tool=python; fi ;;
  auto:*) tool=python ;;
  cli:converse-stream|cli:invoke-model-stream) pp_emit error "\"detail\":\"the AWS CLI has no streaming operations: use tool python\""; exit 0 ;;
esac
pp_clock; t0=$pp_ms
# The address the tool will use: the host's resolver, asked just before the call (as the tool asks it).
pp_resolve "$host" getent "$ct"
if [ "$pp_outcome" != resolved ]; then
  pp_unresolved "$host"
  pp_emit "$pp_outcome" "\"host\":\"$host\",\"tool\":\"$tool\",\"detail\":\"$(pp_json "$pp_detail")\""
  exit 0
fi
ip=$(printf '%s\n' "$pp_addrs" | head -n 1)
pp_clock; left=$(( mt - ( pp_ms - t0 ) / 1000 ))
[ "$left" -lt 1 ] && left=1
# Only the instance profile: keys in the environment and the shared files are set aside.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_WEB_IDENTITY_TOKEN_FILE
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard AWS_PAGER=''
# Is there an instance profile? Two small IMDSv2 requests spare a tool start that would only find
# none (a host without a role calls unsigned, and says so).
signed=true
if command -v curl >/dev/null 2>&1; then
  imds_token=$(curl -sS -f -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' --max-time 2 http://169.254.169.254/latest/api/token 2>/dev/null)
  [ -n "$imds_token" ] && curl -sS -f -o /dev/null -H "X-aws-ec2-metadata-token: $imds_token" --max-time 2 http://169.254.169.254/latest/meta-data/iam/security-credentials/ 2>/dev/null || signed=false
fi
msg='[{"role":"user","content":[{"text":"pathproof probe: answer with one word"}]}]'
knobs='{}'
[ -n "${PP_gap_seconds:-}" ] && knobs="{\"pathproof_gap_ms\":$(( PP_gap_seconds * 1000 ))}"

# The AWS CLI: signed with the instance profile; a host without one calls unsigned (--no-sign-request),
# which still proves the path: an answer (even AWS's refusal) means it was reached, none means blocked.
cli_call() {
  if [ "$op" = converse ]; then
    timeout -- "$left" aws bedrock-runtime converse --region "$PP_region" --model-id "$PP_model" --messages "$msg" \
      --inference-config '{"maxTokens":16}' --additional-model-request-fields "$knobs" \
      --cli-connect-timeout "$ct" --cli-read-timeout "$left" --output json --debug "$@" >"$PP_TMP/out" 2>"$PP_TMP/err"
  else
    # The body from a file as bytes (fileb://), read alike by CLI v1 and v2 (v2's --cli-binary-format
    # is unknown to v1); the output file is a plain positional (v1 refuses `--`), a path of our own.
    printf '%s' "$body" >"$PP_TMP/body.json"
    timeout -- "$left" aws bedrock-runtime invoke-model --region "$PP_region" --model-id "$PP_model" --body "fileb://$PP_TMP/body.json" \
      --content-type application/json --cli-connect-timeout "$ct" --cli-read-timeout "$left" --debug "$PP_TMP/out" "$@" >/dev/null 2>"$PP_TMP/err"
  fi
}
if [ "$tool" = cli ]; then
  pp_need aws
  body="{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":16,\"messages\":$msg}"
  if [ "$signed" = true ]; then cli_call; rc=$?; else cli_call --no-sign-request; rc=$?; fi
  if [ "$signed" = true ] && [ "$rc" -ne 0 ] && grep -q 'Unable to locate credentials' "$PP_TMP/err" 2>/dev/null; then
    signed=false
    pp_clock; left=$(( mt - ( pp_ms - t0 ) / 1000 )); [ "$left" -lt 1 ] && left=1
    cli_call --no-sign-request; rc=$?
  fi
  pp_clock; t1=$pp_ms
  # urllib3's debug line gives the status: "POST /model/…/converse HTTP/1.1" 403 123
  status=$(grep -o 'HTTP/1.1" [0-9][0-9][0-9]' "$PP_TMP/err" 2>/dev/null | tail -n 1 | sed 's/.* //')
  reqid=$(grep -io "'x-amzn-requestid': '[^']*'" "$PP_TMP/err" 2>/dev/null | tail -n 1 | sed "s/.*: '//; s/'//")
  code=$(grep -o 'An error occurred ([A-Za-z]*)' "$PP_TMP/err" 2>/dev/null | tail -n 1 | sed 's/.*(//; s/)//')
  detail=$(grep -v '^[0-9-]* [0-9:,]* - ' "$PP_TMP/err" 2>/dev/null | grep -v '^$' | tail -n 1)
  # The refusing policy, as AWS's message names it ("because no VPC endpoint policy allows the … action",
  # "with an explicit deny in an identity-based policy"): the detail is cut at 300 characters, the reason is not.
  reason=$(printf '%s\n' "$detail" | sed -n -e 's/.* \(because no [A-Za-z -]* policy allows\).*/\1/p' -e 's/.* \(with an explicit deny in an* [A-Za-z -]* policy\).*/\1/p' | head -n 1)
  if [ "$rc" -eq 0 ]; then outcome=answered
  elif [ -n "$code" ]; then outcome=aws-error
  else
    case "$detail" in
      *'Connect timeout'*) outcome=timeout ;;
      *'Read timeout'*) outcome=read-timeout ;;
      *'Unable to locate credentials'*|*'Error when retrieving credentials'*) outcome=no-credentials ;;
      *'SSL validation failed'*|*CERTIFICATE*) outcome=cert-invalid ;;
      *SSL*) outcome=tls-error ;;
      *'Connection was closed'*|*'reset'*) outcome=reset ;;
      *'Could not connect'*) outcome=refused ;;
      # Killed by the probe's own limit: the tool never said what happened, so it is not a block.
      *) outcome=error; [ "$rc" -eq 124 ] && detail="the AWS CLI did not finish within ${left} s" ;;
    esac
  fi
  pp_emit "$outcome" "\"tool\":\"aws-cli\",\"signed\":$signed,\"host\":\"$host\",\"ip\":\"$(pp_json "$ip")\",\"status\":$(pp_int "${status:-0}"),\"error\":\"$(pp_json "$code")\",\"requestId\":\"$(pp_json "$reqid")\",\"reason\":\"$(pp_json "$reason")\",\"ms\":$((t1 - t0)),\"detail\":\"$(pp_json "$detail")\""
  exit 0
fi

# botocore, the AWS SDK for Python (the CLI's own core): found as botocore or inside the CLI v2 package.
command -v python3 >/dev/null 2>&1 || { pp_emit tool-missing '"tool":"python3"'; exit 0; }
PP_signed=$signed PP_left=$left PP_knobs=$knobs PP_msg=$msg timeout -- "$((left + 1))" python3 -c '
import importlib, json, os, re, sys, time
def out(r, **kw):
    d = {"r": r}
    d.update(kw)
    print(json.dumps(d)); sys.exit(0)
root = None
for name in ("botocore", "awscli.botocore"):
    try:
        importlib.import_module(name + ".session"); root = name; break
    except Exception:
        pass
if root is None:
    out("tool-missing", tool="botocore")
session = importlib.import_module(root + ".session")
config = importlib.import_module(root + ".config")
exc = importlib.import_module(root + ".exceptions")
used = []
try:
    import urllib3.util.connection as uc
    orig = uc.create_connection
    def cc(*a, **k):
        s = orig(*a, **k)
        used.append(s.getpeername()[0])
        return s
    uc.create_connection = cc
except Exception:
    pass
op, region, model = os.environ["PP_operation"], os.environ["PP_region"], os.environ["PP_model"]
left = int(os.environ["PP_left"])
cfg = config.Config(connect_timeout=int(os.environ.get("PP_connect_timeout") or 3), read_timeout=left, retries={"max_attempts": 1, "mode": "standard"})
def client_for(**extra):
    return session.get_session().create_client("bedrock-runtime", region_name=region, config=cfg.merge(config.Config(**extra)))
unsigned = dict(signature_version=importlib.import_module(root).UNSIGNED)
client = client_for() if os.environ.get("PP_signed") != "false" else client_for(**unsigned)
msg = json.loads(os.environ["PP_msg"])
knobs = json.loads(os.environ["PP_knobs"])
t0 = time.monotonic()
events, gap, last = [], 0.0, t0
base = {"tool": "botocore", "signed": os.environ.get("PP_signed") != "false", "host": client.meta.endpoint_url.split("/")[2]}
def call(c):
    if op in ("converse", "converse-stream"):
        kw = dict(modelId=model, messages=msg, inferenceConfig={"maxTokens": 16})
        if knobs:
            kw["additionalModelRequestFields"] = knobs
        return c.converse(**kw) if op == "converse" else c.converse_stream(**kw)
    body = dict(anthropic_version="bedrock-2023-05-31", max_tokens=16, messages=msg, **knobs)
    return (c.invoke_model if op == "invoke-model" else c.invoke_model_with_response_stream)(modelId=model, body=json.dumps(body), contentType="application/json")
try:
    try:
        r = call(client)
    except exc.NoCredentialsError:
        # No instance profile: an unsigned call still proves the path (an answer, even a refusal, means reached).
        base["signed"] = False
        r = call(client_for(**unsigned))
    meta = r["ResponseMetadata"]
    if op.endswith("stream"):
        for e in r.get("stream") or r.get("body"):
            now = time.monotonic()
            gap = max(gap, now - last)
            last = now
            events.extend(e.keys())
    ok = (op.endswith("stream") and events and events[-1] in ("metadata", "messageStop", "chunk")) or not op.endswith("stream")
    out("answered" if ok else "stream-broken", ip=(used or [""])[-1], status=meta.get("HTTPStatusCode", 0), requestId=meta.get("RequestId", ""), events=events[:20], maxGapMs=int(gap * 1000), ms=int((time.monotonic() - t0) * 1000), **base)
except exc.ClientError as e:
    m = e.response.get("ResponseMetadata", {})
    why = re.search(r" (because no [A-Za-z -]* policy allows|with an explicit deny in an? [A-Za-z -]* policy)", e.response.get("Error", {}).get("Message", ""))
    out("aws-error", ip=(used or [""])[-1], status=m.get("HTTPStatusCode", 0), error=e.response.get("Error", {}).get("Code", ""), requestId=m.get("RequestId", ""), reason=why.group(1) if why else "", detail=str(e)[:200], events=events[:20], **base)
except exc.NoCredentialsError as e:
    out("no-credentials", detail=str(e)[:200], **base)
except exc.ConnectTimeoutError as e:
    out("timeout", detail=str(e)[:200], **base)
except exc.ReadTimeoutError as e:
    out("read-timeout" if not events else "stream-broken", ip=(used or [""])[-1], events=events[:20], maxGapMs=int(gap * 1000), detail=str(e)[:200], **base)
except exc.SSLError as e:
    out("cert-invalid" if "CERTIFICATE" in str(e) else "tls-error", detail=str(e)[:200], **base)
except exc.EndpointConnectionError as e:
    out("refused", detail=str(e)[:200], **base)
except Exception as e:
    out("stream-broken" if events or op.endswith("stream") and used else "error", ip=(used or [""])[-1], events=events[:20], detail=(type(e).__name__ + ": " + str(e))[:200], **base)
' >"$PP_TMP/py.out" 2>"$PP_TMP/py.err"; rc=$?
res=$(head -n 1 "$PP_TMP/py.out" 2>/dev/null)
case "$res" in
  '{"r": "'*) printf '%s\n' "$res" ;;
  # Killed by the probe's own limit: botocore never said what happened, so it is not a block.
  *) if [ "$rc" -eq 124 ]; then pp_emit error "\"tool\":\"botocore\",\"detail\":\"botocore did not finish within ${left} s\""
     else pp_emit error "\"tool\":\"botocore\",\"detail\":\"$(pp_json "$(tail -n 1 "$PP_TMP/py.err" 2>/dev/null)")\""; fi ;;
esac
