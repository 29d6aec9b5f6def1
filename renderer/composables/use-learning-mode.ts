// Learning mode: every action the dashboard takes is shown as the kubectl command it stands for and
// the HTTP requests it actually made. The requests come from the API client's observer hook, so an
// action only has to say its kubectl equivalent (runAction below) to get the panel for free.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { RequestRecord } from '../api/client';
import { useConnectionStore } from '../stores/connection-store';
import { useUiPrefs } from '../stores/ui-prefs';
import { recordRequests } from './request-recorder';

export interface LearningEntry {
  id: number;
  /** What the person did, in their words (i18n already applied). */
  title: string;
  kubectl: string[];
  requests: RequestRecord[];
  at: Date;
  failed: boolean;
}

const KEEP = 20;

export const useLearningMode = defineStore('learning-mode', () => {
  const prefs = useUiPrefs();
  const connection = useConnectionStore();
  const entries = shallowRef<LearningEntry[]>([]);
  const panelOpen = ref(false);
  let nextId = 1;

  /**
   * Runs a dashboard action; with learning mode on, records its kubectl equivalent and requests.
   * The action's error is re-thrown so callers still show it.
   */
  async function runAction<T>(title: string, kubectl: string | string[] | ((result: T | undefined) => string | string[]), action: () => Promise<T>): Promise<T> {
    const client = connection.client;
    if (!prefs.learningMode || !client) return action();
    const { result, error, requests } = await recordRequests(client, action);
    // Some equivalents depend on what happened (create vs apply of an existing object).
    const commands = typeof kubectl === 'function' ? kubectl(result) : kubectl;
    entries.value = [{ id: nextId++, title, kubectl: Array.isArray(commands) ? commands : [commands], requests, at: new Date(), failed: error !== undefined }, ...entries.value].slice(0, KEEP);
    panelOpen.value = true;
    if (error !== undefined) throw error;
    return result as T;
  }

  function clear(): void {
    entries.value = [];
  }

  return { entries, panelOpen, runAction, clear };
});
