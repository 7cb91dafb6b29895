import type { Server } from 'node:http';

/**
 * Closes an http server for good: drops keep-alive connections too (a browser or fetch client may
 * still hold one), so the close cannot wait on them and keep Jest from exiting.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
