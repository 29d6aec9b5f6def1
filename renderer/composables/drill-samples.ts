// The sample drills (samples/drills/*.yaml) bundled at build time as text: the library the Drills
// screen offers. Kept apart from drill-library.ts so the parsing stays testable outside Vite.
import { parseDrillSample, type DrillSample } from './drill-library';

const files = import.meta.glob('../../samples/drills/*.yaml', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export const DRILL_SAMPLES: readonly DrillSample[] = Object.entries(files)
  .map(([path, text]) => parseDrillSample(path.replace(/^.*\//, '').replace(/\.yaml$/, ''), text))
  .sort((a, b) => a.file.localeCompare(b.file));
