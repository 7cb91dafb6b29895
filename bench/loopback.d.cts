import type http from 'node:http';
export declare const HEADERS: Readonly<Record<string, string>>;
export declare function startServer(
  script: string,
  args?: string[],
  options?: { execPath?: string; execArgv?: string[] },
): Promise<{ port: number; stop: () => void }>;
export declare function nodeHttpGet(agent: http.Agent, port: number): Promise<unknown>;
export declare function nodeHttpRequest(
  agent: http.Agent,
  port: number,
  path: string,
  method?: string,
  body?: string,
): Promise<unknown>;
export declare function pinning(): { note: string; fork: { execPath?: string; execArgv?: string[] } };
