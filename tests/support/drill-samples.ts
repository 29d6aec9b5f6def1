// The sample drills (samples/drills/*.yaml) use a public image users can pull; tests run offline, so they
// swap it for the offline test image running busybox httpd on the same port with the same page. This is
// the documented replacement (samples/drills/README.md): every `image: nginx:1.27` line becomes the test
// image plus a command, at the same indentation.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SAMPLES_DIR = resolve(__dirname, '../../samples/drills');
export const SAMPLE_IMAGE = 'nginx:1.27';
export const OFFLINE_IMAGE = 'bosun-test/busybox:1.0';
export const OFFLINE_COMMAND = "mkdir -p /www; echo ok > /www/index.html; httpd -f -p 80 -h /www & p=$!; trap 'kill $p; exit 0' TERM; wait $p";

export function sampleNames(): string[] {
  return readdirSync(SAMPLES_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
}

export function readSample(name: string): string {
  return readFileSync(join(SAMPLES_DIR, `${name}.yaml`), 'utf8');
}

/** The sample with its public image replaced by busybox httpd serving /www/index.html on port 80. */
export function offlineSample(text: string): string {
  return text.replace(/^(\s+)image: nginx:1\.27$/gm, (_m, indent: string) =>
    [
      `${indent}image: ${OFFLINE_IMAGE}`,
      // A shell stays PID 1 so SIGTERM ends the server at once, as it ends nginx (PID 1 ignores an unhandled TERM).
      `${indent}command: [sh, -c, "${OFFLINE_COMMAND}"]`,
    ].join('\n'),
  );
}
