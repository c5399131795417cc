export interface PortRange { readonly low: number; readonly high: number }

export interface Policy {
  readonly id: string;
  readonly title: string;
  readonly from: string;
  readonly to: string;
  readonly protocol: 'tcp' | 'udp' | 'any';
  /** Inclusive ranges; empty means every port. */
  readonly ports: readonly PortRange[];
  readonly action: 'allow' | 'deny';
  readonly severity: 'critical' | 'high' | 'medium' | 'low';
  readonly justification: string;
  readonly dataClassification: string;
  readonly remediation: string;
  readonly helpUri?: string;
  /** The flow carries model streams: idle time-outs on it must outlast streamIdleSeconds. */
  readonly streaming?: boolean;
  readonly source: { readonly file: string; readonly line: number };
}

export interface Zone { readonly name: string; readonly kind: 'internal' | 'external'; readonly description: string }

export interface FrameworkControl { readonly framework: string; readonly id: string; readonly title: string; readonly policies: readonly string[] }

export interface Catalog {
  readonly zones: ReadonlyMap<string, Zone>;
  readonly policies: ReadonlyMap<string, Policy>;
  readonly frameworks: readonly FrameworkControl[];
}
