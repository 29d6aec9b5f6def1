// `npm run bench`: every benchmark of the project, printed as Markdown tables for docs/PERFORMANCE.md.
import { cpus } from 'node:os';
import { benchApi } from './api';
import { benchDeployments } from './deployments';
import { benchDockerDeployments } from './deployments-docker';
import { benchNodeCrash } from './node-crash';
import { benchPods } from './pods';
import { benchRenderer } from './renderer';
import { benchScale } from './scale';
import { benchScheduler } from './scheduler';
import { benchStore } from './store';

async function main(): Promise<void> {
  console.log(`# Bosun benchmarks — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} cores`);
  await benchStore();
  await benchApi();
  await benchPods();
  await benchScheduler();
  await benchScale();
  await benchDeployments();
  await benchDockerDeployments();
  await benchNodeCrash();
  await benchRenderer();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
