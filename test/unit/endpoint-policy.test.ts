/**
 * The endpoint-policy evaluator the twin's Bedrock endpoints and the endpoint-policy assertion share,
 * tested on its own against AWS's documented rules: no policy is full access, an explicit Deny wins,
 * otherwise an Allow must match both action and resource, with * and ? wildcards.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { describe, expect, test } from 'vitest';
import { conditionHolds, evaluateEndpointPolicy, explicitDeny } from '../../src/model/endpoint-policy.ts';

const arn = (m: string) => `arn:aws:bedrock:ap-southeast-2::foundation-model/${m}`;
const claude = arn('anthropic.claude-3-haiku-20240307-v1:0');
const llama = arn('meta.llama3-70b-instruct-v1:0');

describe('endpoint policy evaluation', () => {
  test('no policy means full access (the endpoint default)', () => {
    expect(evaluateEndpointPolicy(null, 'bedrock:InvokeModel', llama).allowed).toBe(true);
  });
  test('an Allow must match action and resource, with wildcards; anything else is denied', () => {
    const p = { Statement: [{ Effect: 'Allow', Principal: '*', Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWith*'], Resource: arn('anthropic.claude-*') }] };
    expect(evaluateEndpointPolicy(p, 'bedrock:InvokeModel', claude).allowed).toBe(true);
    expect(evaluateEndpointPolicy(p, 'bedrock:InvokeModelWithResponseStream', claude).allowed).toBe(true);
    expect(evaluateEndpointPolicy(p, 'bedrock:InvokeModel', llama)).toEqual({ allowed: false, reason: 'no VPC endpoint policy allows it' });
    expect(evaluateEndpointPolicy(p, 'bedrock:CreateModelCustomizationJob', claude).allowed).toBe(false);
  });
  test('an explicit Deny beats any Allow', () => {
    const p = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'bedrock:*', Resource: arn('meta.*') }] };
    expect(evaluateEndpointPolicy(p, 'bedrock:InvokeModel', llama)).toEqual({ allowed: false, reason: 'an explicit deny in the VPC endpoint policy' });
    expect(evaluateEndpointPolicy(p, 'bedrock:InvokeModel', claude).allowed).toBe(true);
  });
});

describe('identity policy conditions (IAM string operators)', () => {
  test('negated operators hold for an absent key, positive ones do not; IfExists holds when absent; keys AND, values OR', () => {
    expect(conditionHolds({ StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } }, {})).toBe(true);
    expect(conditionHolds({ StringEquals: { 'aws:SourceVpce': 'vpce-1' } }, {})).toBe(false);
    expect(conditionHolds({ StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } }, {})).toBe(true);
    expect(conditionHolds({ StringNotEquals: { 'aws:SourceVpce': ['vpce-1', 'vpce-2'] } }, { 'aws:SourceVpce': 'vpce-2' })).toBe(false);
    expect(conditionHolds({ StringNotEquals: { 'aws:SourceVpce': 'vpce-1', 'aws:SourceVpc': 'vpc-1' } }, { 'aws:SourceVpc': 'vpc-1' })).toBe(false);
    expect(conditionHolds({ StringLike: { 'aws:SourceVpce': 'vpce-*' } }, { 'aws:sourcevpce': 'vpce-9' })).toBe(true);
    expect(conditionHolds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, {})).toBeUndefined();
  });
  test('explicitDeny finds the deny that applies in the context, and names statements it cannot evaluate', () => {
    const deny = { Statement: [{ Sid: 'Off', Effect: 'Deny', Action: 'bedrock:*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } }] };
    expect(explicitDeny([deny], 'bedrock:InvokeModel', '*', {}).deny?.sid).toBe('Off');
    expect(explicitDeny([deny], 'bedrock:InvokeModel', '*', { 'aws:SourceVpce': 'vpce-1' }).deny).toBeUndefined();
    expect(explicitDeny([deny], 's3:GetObject', '*', {}).deny).toBeUndefined();
    const odd = { Statement: [{ Sid: 'Ip', Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }] };
    expect(explicitDeny([odd], 'bedrock:InvokeModel', '*', {})).toEqual({ unknown: ['Ip'] });
  });
});
