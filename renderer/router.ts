// Hash history: the page is served from `/` of the lab and loaded from a file in Electron, so
// routes must live in the fragment. Views are lazy chunks: the first paint loads only the shell;
// router-chunk-retry.ts keeps a chunk that fails to load from leaving the page blank.
import { createRouter, createWebHashHistory, type RouteLocationRaw } from 'vue-router';
import type { KubeObject } from '../shared/api/meta';
import { installChunkRecovery, lazyView, type ChunkRecoveryEnvironment } from './router-chunk-retry';

/** Path segment standing for "no namespace" in detail routes of cluster-scoped kinds. */
export const CLUSTER_SCOPE = '_';

export function createBosunRouter(env: ChunkRecoveryEnvironment = window) {
  const router = createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: '/', name: 'overview', component: lazyView(() => import('./views/OverviewView.vue')) },
      { path: '/events', name: 'events', component: lazyView(() => import('./views/EventsView.vue')) },
      { path: '/create', name: 'create', component: lazyView(() => import('./views/CreateView.vue')) },
      { path: '/chaos', name: 'chaos', component: lazyView(() => import('./views/ChaosView.vue')) },
      { path: '/drills', name: 'drills', component: lazyView(() => import('./views/DrillsView.vue')) },
      { path: '/settings', name: 'settings', component: lazyView(() => import('./views/SettingsView.vue')) },
      { path: '/r/:resource', name: 'list', component: lazyView(() => import('./views/ResourceListView.vue')), props: true },
      {
        path: '/r/:resource/:namespace/:name',
        name: 'detail',
        component: lazyView(() => import('./views/ResourceDetailView.vue')),
        props: true,
      },
      { path: '/:pathMatch(.*)*', redirect: '/' },
    ],
  });
  installChunkRecovery(router, env);
  return router;
}

export function detailRoute(resource: string, object: Pick<KubeObject, 'metadata'>): RouteLocationRaw {
  return { name: 'detail', params: { resource, namespace: object.metadata.namespace || CLUSTER_SCOPE, name: object.metadata.name ?? '' } };
}

export function detailHref(resource: string, namespace: string | undefined, name: string): string {
  return `#/r/${resource}/${encodeURIComponent(namespace || CLUSTER_SCOPE)}/${encodeURIComponent(name)}`;
}
