import path from 'node:path';
import { loadTopology, topologyInventory } from '../../infra/twin/topology.ts';
import { loadConfig, type LoadOptions } from '../../src/load/config.ts';
import type { Inventory } from '../../src/model/inventory.ts';
import type { Config } from '../../src/model/check.ts';
import { ROOT } from './paths.ts';

/** The reference topology's tagged resources, as the twin would build them (no emulator needed). */
export function referenceInventory(file = path.join(ROOT, 'fixtures/topologies/reference.yaml')): Inventory {
  return topologyInventory(loadTopology(file));
}

/** The `local` environment with its addresses discovered from the reference topology's tags. */
export function localConfig(opts: Partial<LoadOptions> = {}): Config {
  return loadConfig({ root: ROOT, env: 'local', marker: 'pp-test', inventory: referenceInventory(), ...opts });
}
