// A fresh page for test/shared/peers.test.ts in Chromium: its own instance of the library.
import * as lib from '../../src/index.ts';
import { pageHandler, type PageRequest } from './peer-page.ts';

const handle = pageHandler(lib);
addEventListener('message', (event: MessageEvent<{ id: number; request: PageRequest }>) => {
  const { id, request } = event.data;
  void handle(request).then((reply) => postMessage({ id, reply }));
});
