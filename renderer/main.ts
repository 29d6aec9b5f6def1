import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createBosunI18n } from './i18n';

const i18n = createBosunI18n(localStorage, navigator.languages ?? [navigator.language]);

createApp(App).use(createPinia()).use(i18n).use(ElementPlus).mount('#app');
