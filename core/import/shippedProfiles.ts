// The mapping profiles edw ships for the utility layouts of the demo fixtures
// (fixtures/profiles/*.json, bundled as data: nothing is read from disk at run time).
// resolveProfile falls back to these by name when the workspace has no saved profile of it.
import { Profile, type ImportKind } from './profile';
import psnhCis from '../../fixtures/profiles/psnh-cis.json';
import uesCis from '../../fixtures/profiles/ues-cis.json';
import libertyCis from '../../fixtures/profiles/liberty-cis.json';
import psnhTopology from '../../fixtures/profiles/psnh-topology.json';
import psnhDer from '../../fixtures/profiles/psnh-der.json';
import uesProgramsDelta from '../../fixtures/profiles/ues-programs-delta.json';
import uesIntervals from '../../fixtures/profiles/ues-intervals.json';
import psnhIntervalsWide from '../../fixtures/profiles/psnh-intervals-wide.json';

export const SHIPPED_PROFILES: readonly Profile[] = [
  psnhCis,
  uesCis,
  libertyCis,
  psnhTopology,
  psnhDer,
  uesProgramsDelta,
  uesIntervals,
  psnhIntervalsWide,
].map((p) => Profile.parse(p));

/** A shipped profile of `kind` by name (case-insensitive), if there is one. */
export function shippedProfile(kind: ImportKind, name: string): Profile | undefined {
  const n = name.toLowerCase();
  return SHIPPED_PROFILES.find((p) => p.kind === kind && p.name.toLowerCase() === n);
}
