/**
 * Parameter types of probes. Every value that reaches a probe script is validated against one
 * of these patterns *and* single-quoted by the script builder: the patterns keep values sane,
 * the quoting makes injection impossible even if a pattern were too loose.
 * None of these patterns admits a quote, `$`, a backtick, whitespace, `;`, `&` or `|`.
 */
/** One octet in decimal without leading zeros (inet_aton reads 010 as octal 8). */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const IPV4_DECIMAL = `(?:${OCTET}\\.){3}${OCTET}`;

export const paramTypes = {
  /**
   * A DNS name (RFC 1123 labels, optional trailing dot) or a dotted-quad decimal IPv4 address.
   * Other numeric spellings (10.0.2.010, 2130706433, 0x7f.1) are refused: the resolver reads them
   * as another address (octal, a 32-bit integer, hex) than the text the evidence would name.
   */
  host: { pattern: new RegExp(`^(?:${IPV4_DECIMAL}|(?!(?:(?:0x[0-9a-f]*|[0-9]+)(?:\\.|$))+$)(?=.{1,253}\\.?$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?)$`, 'i'), hint: 'a DNS name or a dotted-quad IPv4 address (decimal, no leading zeros) such as bedrock-runtime.ap-southeast-2.amazonaws.com' },
  ipv4: { pattern: new RegExp(`^${IPV4_DECIMAL}$`), hint: 'a dotted-quad IPv4 address (decimal, no leading zeros) such as 10.0.2.10' },
  port: { pattern: /^(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/, hint: 'a TCP port from 1 to 65535' },
  seconds: { pattern: /^(?:[1-9]|[1-9]\d|[1-8]\d\d|900)$/, hint: 'whole seconds from 1 to 900' },
  count: { pattern: /^(?:[1-9]|10)$/, hint: 'a whole number from 1 to 10' },
  'url-path': { pattern: /^\/[A-Za-z0-9._~\-/:]{0,200}$/, hint: 'a URL path such as /model/anthropic.claude-3-haiku-20240307-v1:0/invoke' },
  'http-method': { pattern: /^(?:GET|HEAD|POST|PUT)$/, hint: 'GET, HEAD, POST or PUT' },
  'http-scheme': { pattern: /^https?$/, hint: 'http or https' },
  'model-id': { pattern: /^[a-z0-9][a-z0-9.\-:]{0,127}$/, hint: 'a Bedrock model id such as anthropic.claude-3-haiku-20240307-v1:0' },
  marker: { pattern: /^[a-z0-9][a-z0-9-]{0,62}$/, hint: 'lowercase letters, digits and dashes (it becomes a DNS label)' },
  'resolver-tool': { pattern: /^(?:auto|getent|dig)$/, hint: 'auto, getent or dig' },
  'imds-version': { pattern: /^(?:v1|v2)$/, hint: 'v1 or v2' },
  'bedrock-operation': { pattern: /^(?:converse|converse-stream|invoke-model|invoke-model-stream)$/, hint: 'converse, converse-stream, invoke-model or invoke-model-stream' },
  'sdk-tool': { pattern: /^(?:auto|cli|python)$/, hint: 'auto (the AWS CLI where it can, else botocore), cli or python' },
  region: { pattern: /^[a-z]{2}(?:-[a-z]+)+-\d$/, hint: 'an AWS region such as ap-southeast-2' },
} as const satisfies Record<string, { pattern: RegExp; hint: string }>;

export type ParamType = keyof typeof paramTypes;


/** Single-quotes a value for POSIX sh: the only character that needs care inside '' is ' itself. */
export function shellQuote(value: string): string {
  // A shell variable cannot hold NUL: refuse rather than let sh drop it silently.
  if (value.includes('\0')) throw new Error('a NUL byte cannot be quoted into a shell script');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
