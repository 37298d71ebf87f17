/** Closing an HTTP listener as a lifecycle part: stops taking connections, then waits for the open ones. */
import type http from 'node:http';

/** A server that never got to listen (its start-up failed first) has nothing to close. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) =>
    server.listening ? server.close((error) => (error ? reject(error) : resolve())) : resolve(),
  );
}
