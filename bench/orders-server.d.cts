import type http from 'node:http';
export declare function handler(
  count?: number,
): (req: http.IncomingMessage, res: http.ServerResponse) => void;
