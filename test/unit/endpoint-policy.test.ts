/**
 * The endpoint-policy evaluator the twin's Bedrock endpoints and the endpoint-policy assertion share,
 * tested on its own against AWS's documented rules: no policy is full access, an explicit Deny wins,
 * otherwise an Allow must match both action and resource, with * and ? wildcards.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { describe, expect, test } from 'vitest';
import { evaluateEndpointPolicy } from '../../src/model/endpoint-policy.ts';

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
