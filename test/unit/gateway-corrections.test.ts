import { describe, expect, test } from 'vitest';
import { diff } from '../../src/verdict/assertions/drift.ts';
import { correctRequest } from '../../infra/twin/ssm-gateway.ts';

describe('emulator corrections at the gateway', () => {
  const lines: string[] = [];
  const req = (xml: string) => correctRequest({ method: 'POST', url: '/2013-04-01/hostedzone' }, Buffer.from(xml), (l) => lines.push(l)).toString();
  test('a zone created with a VPC and no PrivateZone becomes private, said out loud', () => {
    const out = req('<CreateHostedZoneRequest><Name>x.example</Name><VPC><VPCId>vpc-1</VPCId></VPC><CallerReference>r</CallerReference><HostedZoneConfig><Comment>c</Comment></HostedZoneConfig></CreateHostedZoneRequest>');
    expect(out).toContain('<HostedZoneConfig><Comment>c</Comment><PrivateZone>true</PrivateZone></HostedZoneConfig>');
    expect(lines.at(-1)).toMatch(/corrected: CreateHostedZone x\.example names a VPC but no PrivateZone/);
    expect(req('<CreateHostedZoneRequest><Name>y</Name><VPC><VPCId>v</VPCId></VPC></CreateHostedZoneRequest>')).toContain('<HostedZoneConfig><PrivateZone>true</PrivateZone></HostedZoneConfig></CreateHostedZoneRequest>');
  });
  test('public zones and other calls pass untouched', () => {
    const pub = '<CreateHostedZoneRequest><Name>p</Name><CallerReference>r</CallerReference></CreateHostedZoneRequest>';
    expect(req(pub)).toBe(pub);
    expect(correctRequest({ method: 'GET', url: '/2013-04-01/hostedzone' }, Buffer.from('<VPC>'), () => {}).toString()).toBe('<VPC>');
  });
});

describe('drift compares content, not key order', () => {
  test('the same policy written by two tools has no drift; a changed value does', () => {
    const a = { Statement: [{ Sid: 's', Effect: 'Allow', Action: ['x'] }] };
    expect(diff(a, { Statement: [{ Action: ['x'], Effect: 'Allow', Sid: 's' }] })).toEqual([]);
    expect(diff(a, { Statement: [{ Action: ['x'], Effect: 'Deny', Sid: 's' }] })).toHaveLength(1);
  });
});
