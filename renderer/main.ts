import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { adoptTokenFromLocation } from './api/connection';
import { createBosunI18n } from './i18n';
import { installElementPlus } from './element-plus';
import { createBosunRouter } from './router';
import './styles.css';

// The Dashboard link carries the token in the fragment; take it out before the hash router reads
// the fragment as a route (and so it never lands in history).
adoptTokenFromLocation(window);

const i18n = createBosunI18n(localStorage, navigator.languages ?? [navigator.language]);

createApp(App).use(createPinia()).use(i18n).use(createBosunRouter()).use(installElementPlus).mount('#app');
