import type { Server } from 'node:http';

/** Stops a loopback server now: open keep-alive and in-flight connections are cut, not waited for. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => {
      if (error) {
        reject(error);
      } else {
        resolve();
      }
    });
    server.closeAllConnections();
  });
}
