import { registerSW } from 'virtual:pwa-register';
import { h, replace } from './dom.ts';

/**
 * Registers the service worker that precaches the app shell (HTML, JS, CSS), and keeps `element`
 * telling whether the page is online and whether it is ready to work offline. Data never goes
 * through the service worker: datasets come back from idb-memo's IndexedDB tier.
 */
export function offlineStatus(element: HTMLElement): void {
  let offlineReady = typeof navigator.serviceWorker !== 'undefined' && navigator.serviceWorker.controller !== null;

  const render = () => {
    const online = navigator.onLine;
    replace(
      element,
      h('span', { class: `pill ${online ? 'pill-online' : 'pill-offline'}`, 'data-testid': 'network' }, online ? 'Online' : 'Offline'),
      offlineReady ? h('span', { class: 'pill pill-ready', title: 'The app shell is cached by a service worker' }, 'Works offline') : null,
    );
  };

  if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    registerSW({
      immediate: true,
      onOfflineReady() {
        offlineReady = true;
        render();
      },
      onRegisteredSW(_url, registration) {
        if (registration?.active) {
          offlineReady = true;
          render();
        }
      },
      onRegisterError(error: unknown) {
        console.warn('idb-memo demo: the service worker could not be registered; the page will not work offline.', error);
      },
    });
  }
  window.addEventListener('online', render);
  window.addEventListener('offline', render);
  render();
}
