/// <reference types="vite/client" />
import type { BosunBridge } from './api/connection';

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  // .vue modules have a default export by nature (the component); this only describes it.
  // eslint-disable-next-line no-restricted-syntax
  export default component;
}

declare global {
  interface Window {
    /** Present only inside the Electron shell (main/app/preload.ts). */
    bosun?: BosunBridge;
  }
}
