// `bosun serve` and friends: the lab without Electron (no electron import anywhere on this path).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tuneHeapForLab } from './heap-tuning';
import { startMallocTrim } from './malloc-trim';
import { writeKubeconfig } from './kubeconfig';
import { startLab, type Lab } from './lab';
import { parseServeArgs, USAGE, UsageError, type ServeOptions } from './serve-options';

/** The built dashboard: next to the bundled CLI (out/main → out/renderer), or out/renderer from the source tree. */
function findDashboard(): string | undefined {
  const candidates = [join(__dirname, '../renderer'), join(__dirname, '../out/renderer')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

async function serve(options: ServeOptions): Promise<void> {
  let lab: Lab;
  try {
    tuneHeapForLab();
    await startMallocTrim();
    lab = await startLab({ ...options, staticDir: findDashboard() });
  } catch (e) {
    console.error(`bosun: could not start the lab: ${(e as Error).message}`);
    process.exit(1);
  }
  await writeKubeconfig(options.kubeconfig, { server: lab.httpsUrl, caCertificate: lab.caCertificate, token: lab.token });
  console.log(`Bosun API ready at ${lab.url}`);
  // The token travels in the fragment, which browsers never send to a server, so no log ever holds it.
  console.log(`Dashboard: ${lab.url}/#token=${lab.token}`);
  // kubectl gets the https:// form of the same port: client-go sends bearer tokens only over TLS.
  console.log(`Kubeconfig: ${options.kubeconfig} (server ${lab.httpsUrl}; try: kubectl --kubeconfig ${options.kubeconfig} get namespaces)`);
  // After the two lines scripts read (API ready, then the Dashboard link), as the serve contract says.
  const t = lab.timing;
  console.log(
    `Lab time scale ${t.timeScale}${t.timeScale === 1 ? ' (real Kubernetes timing)' : ''}: node grace ${t.nodeLifecycle.nodeMonitorGracePeriodMs / 1000}s, ` +
      `default tolerationSeconds ${t.defaultTolerationSeconds} (kubectl -n kube-system get configmap bosun-lab-timing -o yaml)`,
  );
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`Received ${signal}, stopping the lab…`);
    lab.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(`bosun: error while stopping: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      process.stdout.write(USAGE);
      return;
    }
    if (command !== 'serve') throw new UsageError(`unknown command '${command}'. Run 'bosun serve --help'.`);
    const options = parseServeArgs(rest);
    if (options === 'help') {
      process.stdout.write(USAGE);
      return;
    }
    await serve(options);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`bosun: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`bosun: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  });
}
