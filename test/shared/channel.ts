// The library's hints between tabs, as another tab hears them: a test waits for one instead of
// sleeping until it has surely arrived.

/** Resolves with the next hint of `type` the library posts (listen before the action that posts it). */
export function heard(type: 'logout' | 'clear' | 'delete'): Promise<unknown> {
  const channel = new BroadcastChannel('idb-memo');
  return new Promise((resolve) => {
    channel.onmessage = ({ data }: MessageEvent<{ type?: string }>) => {
      if (data?.type !== type) return;
      channel.close();
      resolve(data);
    };
  });
}
