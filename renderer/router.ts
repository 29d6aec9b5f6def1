// Hash history: the page is served from `/` of the lab and loaded from a file in Electron, so
// routes must live in the fragment. Views are lazy chunks: the first paint loads only the shell.
import { createRouter, createWebHashHistory, type RouteLocationRaw } from 'vue-router';
import type { KubeObject } from '../shared/api/meta';

/** Path segment standing for "no namespace" in detail routes of cluster-scoped kinds. */
export const CLUSTER_SCOPE = '_';

export function createBosunRouter() {
  return createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: '/', name: 'overview', component: () => import('./views/OverviewView.vue') },
      { path: '/events', name: 'events', component: () => import('./views/EventsView.vue') },
      { path: '/create', name: 'create', component: () => import('./views/CreateView.vue') },
      { path: '/chaos', name: 'chaos', component: () => import('./views/ChaosView.vue') },
      { path: '/drills', name: 'drills', component: () => import('./views/DrillsView.vue') },
      { path: '/settings', name: 'settings', component: () => import('./views/SettingsView.vue') },
      { path: '/r/:resource', name: 'list', component: () => import('./views/ResourceListView.vue'), props: true },
      {
        path: '/r/:resource/:namespace/:name',
        name: 'detail',
        component: () => import('./views/ResourceDetailView.vue'),
        props: true,
      },
      { path: '/:pathMatch(.*)*', redirect: '/' },
    ],
  });
}

export function detailRoute(resource: string, object: Pick<KubeObject, 'metadata'>): RouteLocationRaw {
  return { name: 'detail', params: { resource, namespace: object.metadata.namespace || CLUSTER_SCOPE, name: object.metadata.name ?? '' } };
}

export function detailHref(resource: string, namespace: string | undefined, name: string): string {
  return `#/r/${resource}/${encodeURIComponent(namespace || CLUSTER_SCOPE)}/${encodeURIComponent(name)}`;
}
