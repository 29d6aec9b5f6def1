// A read-only pass over the nedb data file before nedb loads it (loading rewrites the file), to tell
// a torn last line (a kill during an append: expected, recoverable, the write was never acknowledged)
// from damage in the middle (lost acknowledged writes: the user must decide).
import * as fs from 'node:fs';
import * as readline from 'node:readline';

export interface DataFileScan {
  /** Number of lines read (including empty ones). */
  lines: number;
  /** 1-based numbers of the non-empty lines that are not valid JSON. */
  corruptLines: number[];
  /** 1-based number of the last valid line (0 when none). */
  lastValidLine: number;
}

export async function scanDataFile(dataFile: string): Promise<DataFileScan> {
  const scan: DataFileScan = { lines: 0, corruptLines: [], lastValidLine: 0 };
  if (!fs.existsSync(dataFile)) return scan;
  const input = fs.createReadStream(dataFile, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    scan.lines++;
    if (line === '') continue;
    try {
      JSON.parse(line);
      scan.lastValidLine = scan.lines;
    } catch {
      scan.corruptLines.push(scan.lines);
    }
  }
  return scan;
}
