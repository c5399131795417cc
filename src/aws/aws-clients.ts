import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { IAMClient } from '@aws-sdk/client-iam';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { EnvAccount, Environment } from '../model/environment.ts';

/** Emulators accept any key; these are the conventional dummy values. */
const EMULATOR_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/**
 * One credentials provider and one client of each kind per (account, region), shared by every
 * call: the SDK caches and refreshes credentials per provider.
 */
export class AwsClients {
  private readonly providers = new Map<string, AwsCredentialIdentityProvider | AwsCredentialIdentity>();
  private readonly clients = new Map<string, unknown>();

  /**
   * @param endpointOverride one endpoint for every client (the twin's gateway)
   * @param credentialsOverride the credentials that endpoint accepts (the twin's own, made per lab)
   */
  constructor(private readonly env: Environment, private readonly runId: string, private readonly endpointOverride?: string, private readonly credentialsOverride?: AwsCredentialIdentity) {}

  /** AWS_ENDPOINT_URL, then the environment file's endpointUrl, else the real AWS endpoints. */
  get endpoint(): string | undefined {
    return this.endpointOverride ?? process.env.AWS_ENDPOINT_URL ?? this.env.endpointUrl;
  }

  ssm(account: string, region: string): SSMClient {
    return this.client('ssm', account, region, (cfg) => new SSMClient(cfg));
  }
  ec2(account: string, region: string): EC2Client {
    return this.client('ec2', account, region, (cfg) => new EC2Client(cfg));
  }
  logs(account: string, region: string): CloudWatchLogsClient {
    return this.client('logs', account, region, (cfg) => new CloudWatchLogsClient(cfg));
  }
  route53(account: string): Route53Client {
    // Route 53 is global; its API lives in us-east-1.
    return this.client('route53', account, 'us-east-1', (cfg) => new Route53Client(cfg));
  }
  elbv2(account: string, region: string): ElasticLoadBalancingV2Client {
    return this.client('elbv2', account, region, (cfg) => new ElasticLoadBalancingV2Client(cfg));
  }
  iam(account: string): IAMClient {
    return this.client('iam', account, 'us-east-1', (cfg) => new IAMClient(cfg));
  }
  route53resolver(account: string, region: string): Route53ResolverClient {
    return this.client('route53resolver', account, region, (cfg) => new Route53ResolverClient(cfg));
  }
  kms(account: string, region: string): KMSClient {
    return this.client('kms', account, region, (cfg) => new KMSClient(cfg));
  }
  securityhub(account: string, region: string): SecurityHubClient {
    return this.client('securityhub', account, region, (cfg) => new SecurityHubClient(cfg));
  }
  sts(account: string, region: string): STSClient {
    return this.client('sts', account, region, (cfg) => new STSClient(cfg));
  }

  private client<T>(kind: string, account: string, region: string, make: (cfg: Record<string, unknown>) => T): T {
    const key = `${kind}/${account}/${region}`;
    let c = this.clients.get(key) as T | undefined;
    if (!c) {
      c = make({
        region,
        credentials: this.credentials(account, region),
        // Adaptive retry adds client-side rate limiting on throttling responses.
        retryMode: 'adaptive',
        maxAttempts: 8,
        ...(this.endpoint ? { endpoint: this.endpoint } : {}),
      });
      this.clients.set(key, c);
    }
    return c;
  }

  private credentials(account: string, region: string): AwsCredentialIdentityProvider | AwsCredentialIdentity {
    const key = `${account}/${region}`;
    let p = this.providers.get(key);
    if (!p) {
      const acct: EnvAccount | undefined = this.env.accounts[account];
      if (this.credentialsOverride) p = this.credentialsOverride;
      else if (this.env.kind === 'twin' || !acct) p = EMULATOR_CREDENTIALS;
      else if (acct.roleArn) {
        // Regional STS: ap-southeast-6 is an opt-in region, and the global endpoint does not serve it.
        p = fromTemporaryCredentials({
          params: { RoleArn: acct.roleArn, RoleSessionName: `pathproof-${this.runId}`.slice(0, 64), ...(acct.externalId ? { ExternalId: acct.externalId } : {}) },
          clientConfig: { region },
        });
      } else p = fromIni({ profile: acct.profile ?? 'default' });
      this.providers.set(key, p);
    }
    return p;
  }

  destroy(): void {
    for (const c of this.clients.values()) (c as { destroy(): void }).destroy();
    this.clients.clear();
  }
}
